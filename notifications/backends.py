"""Where SMS go: Twilio (production), the console (demo), memory (tests).

A backend sends one message and sorts every failure into one of three kinds, because
each needs a different response: permanent (never retry), transient (the provider
certainly did not take it: retry), ambiguous (it may have: reconcile before retrying).
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

from notifications.twilio_http import make_http_client

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """A send that did not succeed; `code` is the provider's error code if any."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class PermanentSmsError(SmsError):
    """The provider refused the message for good (e.g. an invalid number)."""


class TransientSmsError(SmsError):
    """The provider did not take the message this time (e.g. 429); retry later."""


class AmbiguousSmsError(SmsError):
    """The provider may or may not have taken it (timeout, 5xx): reconcile first."""


@dataclass(frozen=True)
class OutgoingSms:
    """What a backend needs to send one message."""

    to: str
    body: str
    validity_s: int | None = None


@dataclass(frozen=True)
class Accepted:
    """The provider's answer to an accepted message."""

    sid: str
    status: str


class ConsoleBackend:
    """The demo's phone: prints each message and keeps it for the demo pages."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, OutgoingSms]] = []
        self._lock = threading.Lock()

    def send(self, sms: OutgoingSms) -> Accepted:
        with self._lock:
            sid = f"CONSOLE{len(self.sent) + 1:08d}"
            self.sent.append((sid, sms))
        # The console stands in for the applicant's phone in the demo only.
        print(f"[SMS to {sms.to[:6]}****{sms.to[-3:]}] {sms.body}", flush=True)
        return Accepted(sid=sid, status="sent")

    def find_sent(self, *, to: str, body: str, since: datetime) -> list[Accepted]:
        with self._lock:
            return [
                Accepted(sid=sid, status="sent")
                for sid, sms in self.sent
                if sms.to == to and sms.body == body
            ]


class MemoryBackend(ConsoleBackend):
    """For unit tests: like the console, but silent."""

    def send(self, sms: OutgoingSms) -> Accepted:
        with self._lock:
            sid = f"MEMORY{len(self.sent) + 1:08d}"
            self.sent.append((sid, sms))
        return Accepted(sid=sid, status="sent")


class TwilioBackend:
    """Twilio's Messages API through the official SDK."""

    def __init__(self) -> None:
        http_client = make_http_client(
            settings.TWILIO_API_BASE_URL or None, timeout=settings.TWILIO_TIMEOUT_S
        )
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=http_client,
        )
        # Built once per process, as the client is: reverse() cost about 70 us a send.
        self.status_callback = status_callback_url()

    def send(self, sms: OutgoingSms) -> Accepted:
        params: dict[str, str | int] = {
            "to": sms.to,
            "body": sms.body,
            "status_callback": self.status_callback,
        }
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            params["from_"] = settings.TWILIO_FROM_NUMBER
        if sms.validity_s:
            # Twilio drops a message it could not hand on within this many seconds.
            params["validity_period"] = sms.validity_s
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            raise _classify(exc) from exc
        except requests.ConnectTimeout as exc:
            raise TransientSmsError("connect timeout") from exc
        except requests.ConnectionError as exc:
            if _never_connected(exc):
                raise TransientSmsError("connection refused") from exc
            raise AmbiguousSmsError(type(exc).__name__) from exc
        except requests.RequestException as exc:
            raise AmbiguousSmsError(type(exc).__name__) from exc
        return Accepted(sid=message.sid, status=message.status)

    def find_sent(self, *, to: str, body: str, since: datetime) -> list[Accepted]:
        """Twilio's log of this text to this number since `since`, newest first."""
        try:
            messages = self.client.messages.list(
                to=to, date_sent_after=since - timedelta(minutes=5), limit=200
            )
        except (TwilioRestException, requests.RequestException) as exc:
            # The request's URL carries the number (?To=+62...), and so does the text
            # of a connection error: name only the kind, and drop the original from
            # the traceback a worker logs.
            kind = type(exc).__name__
            raise TransientSmsError(f"message log unavailable: {kind}") from None
        return [
            Accepted(sid=m.sid, status=m.status) for m in messages if m.body == body
        ]


def _never_connected(exc: requests.ConnectionError) -> bool:
    """Whether the connection was never made (refused, no route): nothing was sent,
    so a retry cannot double the message and no reconciliation is needed."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


# Twilio 4xx errors that a later attempt will not fix.
CONSOLE_REFUSED = (
    "SMS_BACKEND=console writes every SMS (handover codes, tracking links) to the "
    "log; outside the demo set the TWILIO_* variables, or SMS_CONSOLE_ALLOWED=1 on "
    "purpose"
)
_RETRYABLE_HTTP = {401, 403, 404, 408, 409, 429}


def _classify(exc: TwilioRestException) -> SmsError:
    code = str(exc.code or "")
    if exc.status >= 500:
        return AmbiguousSmsError(f"HTTP {exc.status}", code)
    if exc.status in _RETRYABLE_HTTP:
        return TransientSmsError(f"HTTP {exc.status}", code)
    return PermanentSmsError(str(exc.msg)[:300], code)


def status_callback_url() -> str:
    """Absolute URL of our status webhook, as Twilio will call (and sign) it."""
    return settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/") + reverse("sms-status-callback")


@cache
def get_backend() -> ConsoleBackend | TwilioBackend:
    """The configured backend, one per process."""
    name = settings.SMS_BACKEND
    if name == "twilio":
        return TwilioBackend()
    if name == "memory":
        return MemoryBackend()
    if not settings.SMS_CONSOLE_ALLOWED:
        # Refused here too: a worker runs no system checks, and would log every code.
        raise ImproperlyConfigured(CONSOLE_REFUSED)
    return ConsoleBackend()
