"""A local HTTP double of Twilio's Messages REST API, status callbacks and inbound SMS.

The real `twilio` SDK talks to it over 127.0.0.1 (see `client_for`), so tests exercise
the SDK end to end. Faults are injected from the test thread at any time; every
accepted message is recorded so tests can count sends at the double.

    with TwilioDouble() as double:
        client = client_for(double, timeout=2)
        client.messages.create(to="+6281234567890", from_="+15005550006", body="Hi")
        assert double.count_by_body()["Hi"] == 1
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import heapq
import hmac
import itertools
import json
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from twilio.rest import Client

from notifications import gsm
from notifications.twilio_http import BaseUrlHttpClient

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "d0" * 16
DEFAULT_AUTH_TOKEN = "double-auth-token-0123456789abcd"
# Sender reported for messages sent through a MessagingServiceSid (a magic number).
SERVICE_SENDER = "+15005550006"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# code -> (HTTP status, message), as Twilio words them.
ERRORS: dict[int, tuple[int, str]] = {
    20001: (400, "Invalid parameter"),
    20003: (401, "Authenticate"),
    20004: (405, "Method not allowed"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    20503: (503, "Service Unavailable"),
    21211: (400, "Invalid 'To' Phone Number"),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (400, "The 'To' phone number is not currently reachable via SMS"),
    21614: (400, "'To' number is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
    21624: (400, "Invalid validity period value"),
    30003: (400, "Unreachable destination handset"),
    30005: (400, "Unknown destination handset"),
    30006: (400, "Landline or unreachable carrier"),
    30007: (400, "Message filtered"),
    30008: (400, "Unknown error"),
}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_MESSAGES = re.compile(rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages\.json$")
_MESSAGE = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$"
)
_LIST_FILTERS = ("To", "From", "DateSent", "DateSent<", "DateSent>")
CallbackOrder = Literal["normal", "reversed", "shuffled"]


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Compute X-Twilio-Signature: base64 HMAC-SHA1 of URL + sorted key/values."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _rfc2822(when: datetime | None) -> str | None:
    return format_datetime(when) if when else None


def _new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and parts.hostname in LOOPBACK_HOSTS


@dataclass
class Message:
    """One message the double accepted (a snapshot when read by a test)."""

    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    params: dict[str, str]
    seq: int
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    validity_period: int | None = None
    status: str = "queued"
    error_code: int | None = None
    error_message: str | None = None
    date_created: datetime = field(default_factory=lambda: datetime.now(UTC))
    date_updated: datetime = field(default_factory=lambda: datetime.now(UTC))
    date_sent: datetime | None = None

    @property
    def uri(self) -> str:
        """Path of this message's resource."""
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        """Render the resource as Twilio's JSON."""
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": _rfc2822(self.date_created),
            "date_sent": _rfc2822(self.date_sent),
            "date_updated": _rfc2822(self.date_updated),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": self.error_message,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(gsm.segments(self.body)),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {
                "media": self.uri.removesuffix(".json") + "/Media.json"
            },
            "to": self.to,
            "uri": self.uri,
        }


@dataclass(frozen=True)
class WebhookResult:
    """One POST the double made (status callback or inbound SMS) and its answer."""

    url: str
    params: dict[str, str]
    signature: str
    headers: dict[str, str]
    status: int | None = None
    body: str = ""
    error: str | None = None


@dataclass(frozen=True)
class ApiRequest:
    """One REST request the double answered (status None: dropped, no answer)."""

    method: str
    path: str
    params: dict[str, str]
    status: int | None


@dataclass(frozen=True)
class CallbackOptions:
    """How status callbacks are sent for messages accepted from now on."""

    enabled: bool = True
    delay: float = 0.02
    duplicates: int = 1
    order: CallbackOrder = "normal"


@dataclass
class _Fault:
    kind: str
    fraction: float
    times: int | None
    status: int = 500
    recorded: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class _Reply:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def twilio_error(
    code: int, message: str | None = None, status: int | None = None
) -> _Reply:
    """Build an error reply in Twilio's legacy JSON error format."""
    default_status, default_message = ERRORS.get(code, (400, "Error"))
    status = status or default_status
    payload = {
        "code": code,
        "message": message or default_message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return _Reply(status, payload)


class _Scheduler:
    """Runs callables at given delays, one at a time, on a background thread."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._busy = 0
        self._stopped = False
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="twilio-double-cb")
        self._thread.daemon = True

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def call_later(self, delay: float, func: Callable[[], None]) -> None:
        """Run `func` on the worker after `delay` seconds."""
        with self._cond:
            due = time.monotonic() + delay
            heapq.heappush(self._heap, (due, next(self._seq), func))
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is scheduled or running; False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._heap and not self._busy, timeout
            )

    def stop(self) -> None:
        """Drop pending work and stop the worker."""
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while (func := self._next()) is not None:
            try:
                func()
            except Exception as exc:  # keep the worker alive; tests inspect errors
                self.errors.append(exc)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _next(self) -> Callable[[], None] | None:
        with self._cond:
            while not self._stopped:
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                if wait is not None and wait <= 0:
                    self._busy += 1
                    return heapq.heappop(self._heap)[2]
                self._cond.wait(wait)
            return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, double: TwilioDouble) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.double = double

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients gone after a timeout; report real bugs."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "TwilioDouble/1.0"

    def do_GET(self) -> None:
        """Serve fetch and list."""
        self.server.double._serve(self)

    def do_POST(self) -> None:
        """Serve create."""
        self.server.double._serve(self)

    def do_DELETE(self) -> None:
        """Answer 405, like other unsupported methods."""
        self.server.double._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def form(self) -> dict[str, str]:
        """Parse the form-encoded request body (first value of each key)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        return {key: values[0] for key, values in parse_qs(raw, True).items()}

    def reply(self, reply: _Reply) -> None:
        """Write a JSON reply; the client may be gone already (timeouts)."""
        body = json.dumps(reply.payload).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Twilio-Request-Id", _new_sid("RQ"))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


class TwilioDouble:
    """Twilio's Messages API on 127.0.0.1, with fault injection and callbacks."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        seed: int = 0,
        callback_timeout: float = 5.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.callback_timeout = callback_timeout
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._seq = itertools.count(1)
        self._messages: dict[str, Message] = {}
        self._requests: list[ApiRequest] = []
        self._callbacks: list[WebhookResult] = []
        self._faults: dict[str, _Fault] = {}
        self._rejections: dict[str, tuple[int, int | None, str | None]] = {}
        self._outcomes: dict[str, tuple[str, int]] = {}
        self._delay = 0.0
        self._callback_options = CallbackOptions()
        self._stopping = threading.Event()
        self._scheduler = _Scheduler()
        # Ignore *_proxy variables: webhooks go straight to 127.0.0.1.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> TwilioDouble:
        """Listen on an ephemeral 127.0.0.1 port and start the callback worker."""
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="twilio-double"
        )
        self._thread.daemon = True
        self._thread.start()
        self._scheduler.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping handlers and drop pending callbacks."""
        self._stopping.set()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
        self._server = self._thread = None
        self._scheduler.stop()

    def __enter__(self) -> TwilioDouble:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Origin to use instead of https://api.twilio.com."""
        assert self._server is not None, "TwilioDouble is not started"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    # -- fault knobs -------------------------------------------------------------
    # Thread-safe, effective from the next request. Each create draws from the
    # seeded RNG once per active rule, checked in the order 429, 5xx, timeout;
    # `times` caps how many requests a rule hits (None: no cap). Calling a knob
    # again replaces its rule; fraction=0 turns it off.

    def fail_creates(
        self,
        fraction: float = 1.0,
        *,
        status: int = 500,
        recorded: bool = False,
        times: int | None = None,
    ) -> None:
        """Answer `fraction` of creates with a 5xx; `recorded` keeps the message."""
        self._set_fault(
            _Fault("server_error", fraction, times, status=status, recorded=recorded)
        )

    def time_out_creates(
        self,
        seconds: float,
        *,
        fraction: float = 1.0,
        recorded: bool = False,
        times: int | None = None,
    ) -> None:
        """Stall `fraction` of creates for `seconds` (longer than the client waits).

        With `recorded` the message is accepted first and the late answer is a 201;
        without, the connection is closed unanswered and nothing is recorded.
        """
        self._set_fault(
            _Fault("timeout", fraction, times, recorded=recorded, seconds=seconds)
        )

    def rate_limit_creates(
        self, fraction: float = 1.0, *, times: int | None = None, retry_after: int = 1
    ) -> None:
        """Answer `fraction` of creates with 429 (code 20429), nothing recorded."""
        # `seconds` carries the Retry-After value for this kind of rule.
        self._set_fault(
            _Fault("rate_limit", fraction, times, status=429, seconds=retry_after)
        )

    def set_delay(self, seconds: float) -> None:
        """Delay every REST answer by `seconds`."""
        with self._lock:
            self._delay = seconds

    def reject_number(
        self,
        to: str,
        code: int,
        *,
        status: int | None = None,
        message: str | None = None,
    ) -> None:
        """Refuse every create to `to` with Twilio error `code` (e.g. 21610)."""
        with self._lock:
            self._rejections[to] = (code, status, message)

    def set_outcome(
        self, to: str, status: str = "undelivered", error_code: int = 30007
    ) -> None:
        """Make messages to `to` end as 'undelivered' or 'failed' with a code."""
        if status not in {"undelivered", "failed"}:
            raise ValueError(f"outcome must be undelivered or failed, not {status!r}")
        with self._lock:
            self._outcomes[to] = (status, error_code)

    def reset_faults(self) -> None:
        """Clear every fault, rejection, outcome and the delay."""
        with self._lock:
            self._faults.clear()
            self._rejections.clear()
            self._outcomes.clear()
            self._delay = 0.0

    def _set_fault(self, fault: _Fault) -> None:
        if not 0.0 <= fault.fraction <= 1.0:
            raise ValueError(f"fraction must be within [0, 1], not {fault.fraction}")
        with self._lock:
            self._faults[fault.kind] = fault

    # -- callbacks -------------------------------------------------------------

    def configure_callbacks(
        self,
        *,
        enabled: bool = True,
        delay: float = 0.02,
        duplicates: int = 1,
        order: CallbackOrder = "normal",
    ) -> None:
        """Set how status callbacks go out for messages accepted from now on."""
        if duplicates < 1 or order not in {"normal", "reversed", "shuffled"}:
            raise ValueError("duplicates must be >= 1 and order a CallbackOrder")
        with self._lock:
            self._callback_options = CallbackOptions(enabled, delay, duplicates, order)

    @property
    def callbacks(self) -> list[WebhookResult]:
        """Status callbacks sent so far, in sending order."""
        with self._lock:
            return list(self._callbacks)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every scheduled status change and callback is done."""
        return self._scheduler.wait_idle(timeout)

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        """X-Twilio-Signature for a POST of `params` to `url` with this token."""
        return twilio_signature(self.auth_token, url, params)

    def send_inbound(
        self,
        url: str,
        *,
        from_: str,
        to: str,
        body: str,
        message_sid: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> WebhookResult:
        """POST an inbound-SMS webhook to `url`, signed, and return the answer."""
        sid = message_sid or _new_sid("SM")
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "Body": body,
            "From": from_,
            "MessageSid": sid,
            "NumMedia": "0",
            "NumSegments": str(gsm.segments(body)),
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "To": to,
            **(extra or {}),
        }
        return self._post(url, params, {})

    # -- recorded messages (snapshots, safe to keep) ---------------------------

    @property
    def messages(self) -> list[Message]:
        """Every accepted message, oldest first."""
        with self._lock:
            return [dataclasses.replace(msg) for msg in self._messages.values()]

    @property
    def requests(self) -> list[ApiRequest]:
        """Every REST request answered (or dropped), oldest first."""
        with self._lock:
            return list(self._requests)

    def message(self, sid: str) -> Message:
        """The accepted message `sid` (KeyError if none)."""
        with self._lock:
            return dataclasses.replace(self._messages[sid])

    def messages_to(self, number: str) -> list[Message]:
        """Accepted messages to `number`, oldest first."""
        return [msg for msg in self.messages if msg.to == number]

    def count_by_body(self) -> Counter[str]:
        """How many accepted messages carry each body."""
        return Counter(msg.body for msg in self.messages)

    # -- HTTP serving ----------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        path, _, query = handler.path.partition("?")
        if handler.command == "POST":
            params = handler.form()
        else:
            params = {key: vals[0] for key, vals in parse_qs(query, True).items()}
        with self._lock:
            delay = self._delay
        self._stopping.wait(delay)
        reply = self._route(handler, path, params)
        with self._lock:
            status = reply.status if reply else None
            self._requests.append(ApiRequest(handler.command, path, params, status))
        if reply is not None:
            handler.reply(reply)

    def _route(
        self, handler: _Handler, path: str, params: dict[str, str]
    ) -> _Reply | None:
        if not self._authorized(handler.headers.get("Authorization", "")):
            reply = twilio_error(20003, "Authentication Error - invalid username")
            return dataclasses.replace(
                reply, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'}
            )
        if match := _MESSAGES.match(path):
            return self._on_collection(handler.command, match["account"], params)
        if (match := _MESSAGE.match(path)) and handler.command == "GET":
            return self._fetch(match["account"], match["sid"], path)
        return twilio_error(20404, f"The requested resource {path} was not found")

    def _authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except ValueError:
            return False
        expected = f"{self.account_sid}:{self.auth_token}"
        return hmac.compare_digest(decoded.encode(), expected.encode())

    def _on_collection(
        self, method: str, account: str, params: dict[str, str]
    ) -> _Reply | None:
        if account != self.account_sid:
            return twilio_error(20404, f"The requested account {account} not found")
        if method == "POST":
            return self._create(account, params)
        if method == "GET":
            return self._list(account, params)
        return twilio_error(20004)

    def _fetch(self, account: str, sid: str, path: str) -> _Reply:
        with self._lock:
            msg = self._messages.get(sid)
            if msg is None or account != msg.account_sid:
                return twilio_error(20404, f"The requested resource {path} not found")
            return _Reply(200, msg.to_json())

    # -- create ----------------------------------------------------------------

    def _create(self, account: str, form: dict[str, str]) -> _Reply | None:
        error = _validate(form) or self._rejection(form["To"])
        if error is not None:
            return error
        fault = self._draw_fault()
        if fault is None:
            return _Reply(201, self._accept(account, form).to_json())
        if fault.kind == "rate_limit":
            reply = twilio_error(20429)
            return dataclasses.replace(
                reply, headers={"Retry-After": str(int(fault.seconds))}
            )
        msg = self._accept(account, form) if fault.recorded else None
        if fault.kind == "server_error":
            code = 20503 if fault.status == 503 else 20500
            return twilio_error(code, status=fault.status)
        self._stopping.wait(fault.seconds)
        return _Reply(201, msg.to_json()) if msg else None

    def _rejection(self, to: str) -> _Reply | None:
        with self._lock:
            rule = self._rejections.get(to)
        if rule is None:
            return None
        code, status, message = rule
        return twilio_error(code, message, status)

    def _draw_fault(self) -> _Fault | None:
        with self._lock:
            for kind in ("rate_limit", "server_error", "timeout"):
                fault = self._faults.get(kind)
                if fault is None or fault.times == 0:
                    continue
                if self._rng.random() < fault.fraction:
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _accept(self, account: str, form: dict[str, str]) -> Message:
        validity = form.get("ValidityPeriod")
        msg = Message(
            sid=_new_sid("SM"),
            account_sid=account,
            to=form["To"],
            from_=form.get("From") or SERVICE_SENDER,
            body=form.get("Body", ""),
            params=dict(form),
            seq=next(self._seq),
            messaging_service_sid=form.get("MessagingServiceSid"),
            status_callback=form.get("StatusCallback"),
            validity_period=int(validity) if validity else None,
        )
        with self._lock:
            self._messages[msg.sid] = msg
            options = self._callback_options
            steps = _status_steps(self._outcomes.get(msg.to))
            ordered = self._callback_order(steps, options.order)
        self._schedule(msg, options, steps, ordered)
        return dataclasses.replace(msg)

    def _callback_order(
        self, steps: list[tuple[str, int | None]], order: CallbackOrder
    ) -> list[tuple[str, int | None]]:
        if order == "reversed":
            return steps[::-1]
        # Only shuffling draws from the RNG, so fault draws stay reproducible.
        return self._rng.sample(steps, len(steps)) if order == "shuffled" else steps

    # -- list ------------------------------------------------------------------

    def _list(self, account: str, query: dict[str, str]) -> _Reply:
        try:
            bounds = _date_bounds(query)
            size = min(max(int(query.get("PageSize", 50)), 1), 1000)
            page = int(query.get("Page", 0))
        except ValueError as exc:
            return twilio_error(20001, f"Invalid parameter: {exc}")
        with self._lock:
            found = [m for m in self._messages.values() if _matches(m, query, bounds)]
            found.sort(key=lambda m: m.seq, reverse=True)
            payloads = [m.to_json() for m in found]
        start = _start_after(payloads, query.get("PageToken"))
        chunk = payloads[start : start + size]
        return _Reply(200, _page(account, query, chunk, start, page, size, len(found)))

    # -- status progression and callbacks --------------------------------------

    def _schedule(
        self,
        msg: Message,
        options: CallbackOptions,
        steps: list[tuple[str, int | None]],
        ordered: list[tuple[str, int | None]],
    ) -> None:
        for index, (status, code) in enumerate(steps[1:], start=1):
            change = _bind(self._set_status, msg.sid, status, code)
            self._scheduler.call_later(index * options.delay, change)
        if not (options.enabled and msg.status_callback):
            return
        for index, (status, code) in enumerate(ordered):
            params = _callback_params(msg, status, code)
            headers = {"I-Twilio-Idempotency-Token": uuid.uuid4().hex}
            post = _bind(self._send_callback, msg.status_callback, params, headers)
            for _ in range(options.duplicates):
                self._scheduler.call_later(index * options.delay, post)

    def _set_status(self, sid: str, status: str, code: int | None) -> None:
        now = datetime.now(UTC)
        with self._lock:
            msg = self._messages[sid]
            msg.status, msg.date_updated = status, now
            if status == "sent":
                msg.date_sent = now
            if code is not None:
                msg.error_code, msg.error_message = code, ERRORS.get(code, ("", ""))[1]

    def _send_callback(
        self, url: str, params: dict[str, str], headers: dict[str, str]
    ) -> None:
        result = self._post(url, params, headers)
        with self._lock:
            self._callbacks.append(result)

    def _post(
        self, url: str, params: dict[str, str], headers: dict[str, str]
    ) -> WebhookResult:
        headers = {
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1",
            "X-Twilio-Signature": self.sign(url, params),
        }
        result = WebhookResult(url, params, headers["X-Twilio-Signature"], headers)
        if not _is_loopback(url):
            # Never let a test leak a webhook to the internet.
            return dataclasses.replace(result, error="refused: not a loopback URL")
        request = urllib.request.Request(
            url, urlencode(params).encode(), headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.callback_timeout) as answer:
                text = answer.read().decode(errors="replace")
                return dataclasses.replace(result, status=answer.status, body=text)
        except urllib.error.HTTPError as exc:
            text = exc.read().decode(errors="replace")
            return dataclasses.replace(result, status=exc.code, body=text)
        except OSError as exc:
            return dataclasses.replace(result, error=repr(exc))


def _bind(func: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: func(*args)


def _validate(form: dict[str, str]) -> _Reply | None:
    to = form.get("To", "")
    body = form.get("Body", "")
    if not to:
        return twilio_error(21604)
    if not (form.get("From") or form.get("MessagingServiceSid")):
        return twilio_error(21603)
    if not (body or form.get("MediaUrl") or form.get("ContentSid")):
        return twilio_error(21602)
    if not _E164.match(to.removeprefix("whatsapp:")):
        return twilio_error(21211, f"The 'To' number {to} is not a valid phone number.")
    if len(body) > 1600:
        return twilio_error(21617)
    validity = form.get("ValidityPeriod")
    if validity is not None and not (
        validity.isdigit() and 1 <= int(validity) <= 36000
    ):
        return twilio_error(21624)
    return None


def _status_steps(outcome: tuple[str, int] | None) -> list[tuple[str, int | None]]:
    if outcome is None:
        return [("queued", None), ("sent", None), ("delivered", None)]
    status, code = outcome
    if status == "failed":
        return [("queued", None), ("failed", code)]
    return [("queued", None), ("sent", None), (status, code)]


def _callback_params(msg: Message, status: str, code: int | None) -> dict[str, str]:
    params = {
        "AccountSid": msg.account_sid,
        "ApiVersion": API_VERSION,
        "From": msg.from_,
        "MessageSid": msg.sid,
        "MessageStatus": status,
        "SmsSid": msg.sid,
        "SmsStatus": status,
        "To": msg.to,
    }
    if msg.messaging_service_sid:
        params["MessagingServiceSid"] = msg.messaging_service_sid
    if code is not None:
        params["ErrorCode"] = str(code)
    return params


def _parse_when(value: str) -> datetime | date:
    if "T" not in value:
        return date.fromisoformat(value)
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _date_bounds(query: dict[str, str]) -> dict[str, datetime | date]:
    keys = ("DateSent", "DateSent<", "DateSent>")
    return {key: _parse_when(query[key]) for key in keys if query.get(key)}


def _matches(
    msg: Message, query: dict[str, str], bounds: dict[str, datetime | date]
) -> bool:
    if query.get("To") and msg.to != query["To"]:
        return False
    if query.get("From") and msg.from_ != query["From"]:
        return False
    # Queued messages have no date_sent yet; filter them by their creation time.
    when = msg.date_sent or msg.date_created
    checks = {
        "DateSent": lambda bound: when.date() == _as_date(bound),
        "DateSent<": lambda bound: _comparable(when, bound) <= bound,
        "DateSent>": lambda bound: _comparable(when, bound) >= bound,
    }
    return all(checks[key](bound) for key, bound in bounds.items())


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _comparable(when: datetime, bound: datetime | date) -> datetime | date:
    return when if isinstance(bound, datetime) else when.date()


def _start_after(payloads: list[dict[str, Any]], token: str | None) -> int:
    if not token:
        return 0
    sids = [payload["sid"] for payload in payloads]
    last = token.removeprefix("PA")
    return sids.index(last) + 1 if last in sids else len(sids)


def _page(
    account: str,
    query: dict[str, str],
    chunk: list[dict[str, Any]],
    start: int,
    page: int,
    size: int,
    total: int,
) -> dict[str, Any]:
    path = f"/{API_VERSION}/Accounts/{account}/Messages.json"
    filters = {key: query[key] for key in _LIST_FILTERS if query.get(key)}

    def uri(number: int, token: str | None = None) -> str:
        params: dict[str, Any] = {**filters, "PageSize": size, "Page": number}
        if token:
            params["PageToken"] = token
        return f"{path}?{urlencode(params)}"

    more = start + len(chunk) < total
    return {
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": uri(0),
        "messages": chunk,
        "next_page_uri": uri(page + 1, "PA" + chunk[-1]["sid"]) if more else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": None,
        "start": start,
        "uri": uri(page, query.get("PageToken")),
    }


class DoubleHttpClient(BaseUrlHttpClient):
    """The production base-URL client, pointed at a double, proxies ignored."""

    def __init__(self, double: TwilioDouble, **kwargs: Any) -> None:
        super().__init__(double.base_url, pool_connections=True, **kwargs)
        # Environment proxies would catch 127.0.0.1 too; a test must not use them.
        self.session.trust_env = False


def client_for(
    double: TwilioDouble, *, timeout: float | None = None, **kwargs: Any
) -> Client:
    """A real twilio `Client` whose REST calls go to `double`."""
    http_client = DoubleHttpClient(double, timeout=timeout, **kwargs)
    return Client(double.account_sid, double.auth_token, http_client=http_client)
