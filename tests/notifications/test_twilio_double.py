"""The Twilio double, driven through the real twilio SDK over 127.0.0.1."""

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from notifications.twilio_http import (
    BaseUrlHttpClient,
    make_http_client,
    rewrite_api_url,
)
from tests.helpers import wait_until
from tests.twilio_double import DoubleHttpClient, TwilioDouble, client_for

TO = "+6281234567890"
FROM = "+15005550006"


class Receiver:
    """A webhook endpoint on 127.0.0.1 recording each form POST it gets."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    def url(self, path: str) -> str:
        """Absolute URL of `path` on this receiver."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def snapshot(self) -> list[dict[str, Any]]:
        """The POSTs received so far."""
        with self._lock:
            return list(self.posts)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
                post = {
                    "url": receiver.url(self.path),
                    "params": {k: v[0] for k, v in parse_qs(raw, True).items()},
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                }
                with receiver._lock:
                    receiver.posts.append(post)
                body = b"<Response></Response>"
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output clean."""

        return Handler

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def double() -> Iterator[TwilioDouble]:
    with TwilioDouble(seed=1234) as twilio:
        yield twilio


@pytest.fixture
def client(double: TwilioDouble) -> Client:
    return client_for(double, timeout=3)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as endpoint:
        yield endpoint


def send(client: Client, body: str = "Paspor Anda siap", **kwargs: Any):
    """Create a message with the defaults used throughout these tests."""
    return client.messages.create(**{"to": TO, "from_": FROM, "body": body, **kwargs})


def statuses(posts: list[dict[str, Any]]) -> list[str]:
    """MessageStatus of each callback, in arrival order."""
    return [post["params"]["MessageStatus"] for post in posts]


# -- REST resource -------------------------------------------------------------


def test_create_fetch_and_list_round_trip(double: TwilioDouble, client: Client):
    created = send(client, validity_period=600)

    assert created.sid.startswith("SM")
    assert len(created.sid) == 34
    assert (created.status, created.to, created.from_) == ("queued", TO, FROM)
    assert created.num_segments == "1"
    assert created.date_created.tzinfo is not None
    assert created.uri.endswith(f"/Messages/{created.sid}.json")
    assert double.message(created.sid).validity_period == 600
    fetched = client.messages(created.sid).fetch()
    assert (fetched.sid, fetched.body) == (created.sid, "Paspor Anda siap")
    assert [msg.sid for msg in client.messages.list(to=TO)] == [created.sid]


def test_list_pages_newest_first_and_filters(double: TwilioDouble, client: Client):
    sids = [send(client, f"n{i}").sid for i in range(5)]
    send(client, "other", to="+6281111111111")
    yesterday = datetime.now(UTC) - timedelta(days=1)

    listed = client.messages.list(to=TO, page_size=2)

    assert [msg.sid for msg in listed] == sids[::-1]
    gets = [req for req in double.requests if req.method == "GET"]
    assert len(gets) == 3
    assert client.messages.list(from_="+15550000000") == []
    assert len(client.messages.list(date_sent_after=yesterday)) == 6
    assert client.messages.list(date_sent_before=yesterday) == []


def test_unknown_message_is_404(client: Client):
    with pytest.raises(TwilioRestException) as raised:
        client.messages("SM" + "0" * 32).fetch()

    assert (raised.value.status, raised.value.code) == (404, 20404)


def test_messaging_service_sid_instead_of_from(double: TwilioDouble, client: Client):
    service = "MG" + "a" * 32

    created = client.messages.create(to=TO, messaging_service_sid=service, body="x")

    assert created.messaging_service_sid == service
    assert double.messages_to(TO)[0].params["MessagingServiceSid"] == service


def test_wrong_auth_token_is_401(double: TwilioDouble):
    http_client = DoubleHttpClient(double, timeout=3)
    intruder = Client(double.account_sid, "wrong-token", http_client=http_client)

    with pytest.raises(TwilioRestException) as raised:
        send(intruder)

    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert double.messages == []


@pytest.mark.parametrize(
    ("to", "rejected_code", "code", "status"),
    [
        ("12345", None, 21211, 400),
        (TO, 21610, 21610, 400),
        (TO, 21614, 21614, 400),
        (TO, 30007, 30007, 400),
    ],
)
def test_errors_raise_twilio_rest_exception(
    double: TwilioDouble, client: Client, to, rejected_code, code, status
):
    if rejected_code:
        double.reject_number(TO, rejected_code)

    with pytest.raises(TwilioRestException) as raised:
        send(client, to=to)

    assert (raised.value.code, raised.value.status) == (code, status)
    assert double.messages == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"body": ""}, 21602), ({"validity_period": 36001}, 21624)],
)
def test_invalid_parameters(client: Client, kwargs: dict[str, Any], code: int):
    with pytest.raises(TwilioRestException) as raised:
        send(client, **kwargs)

    assert (raised.value.code, raised.value.status) == (code, 400)


# -- fault injection -----------------------------------------------------------


def failure_pattern(seed: int) -> tuple[list[tuple[int, int, int]], int]:
    """(index, status, code) of the 40 creates that fail, and how many recorded."""
    with TwilioDouble(seed=seed) as twilio:
        twilio.fail_creates(0.25, status=503)
        client = client_for(twilio, timeout=3)
        failures = []
        for index in range(40):
            try:
                send(client, f"m{index}")
            except TwilioRestException as exc:
                failures.append((index, exc.status, exc.code))
        return failures, len(twilio.messages)


def test_server_error_fraction_is_seeded():
    failures, recorded = failure_pattern(seed=7)

    assert 3 <= len(failures) <= 20
    assert {(status, code) for _, status, code in failures} == {(503, 20503)}
    assert recorded == 40 - len(failures)
    assert failure_pattern(seed=7) == (failures, recorded)


def test_server_error_after_recording_is_ambiguous(
    double: TwilioDouble, client: Client
):
    double.fail_creates(status=500, recorded=True, times=1)

    with pytest.raises(TwilioRestException) as raised:
        send(client, "once")
    send(client, "once")

    assert raised.value.status == 500
    assert double.count_by_body()["once"] == 2


def test_rate_limit_is_429_then_clears(double: TwilioDouble, client: Client):
    double.rate_limit_creates(times=1)

    with pytest.raises(TwilioRestException) as raised:
        send(client)
    send(client)

    assert (raised.value.status, raised.value.code) == (429, 20429)
    assert len(double.messages) == 1


def test_timeout_after_recording(double: TwilioDouble):
    double.time_out_creates(1.0, recorded=True)
    client = client_for(double, timeout=0.2)
    started = time.monotonic()

    with pytest.raises(requests.exceptions.Timeout):
        send(client)

    assert time.monotonic() - started < 0.9
    assert len(double.messages_to(TO)) == 1


def test_timeout_without_recording(double: TwilioDouble):
    double.time_out_creates(0.4, recorded=False)
    client = client_for(double, timeout=0.1)

    with pytest.raises(requests.exceptions.Timeout):
        send(client)

    dropped = lambda: any(req.status is None for req in double.requests)  # noqa: E731
    assert wait_until(dropped, timeout=3, interval=0.02)
    assert double.messages == []


def test_delay_slows_every_answer(double: TwilioDouble, client: Client):
    double.set_delay(0.3)
    started = time.monotonic()

    send(client)

    assert time.monotonic() - started >= 0.3


def test_reset_faults_clears_every_knob(double: TwilioDouble, client: Client):
    double.fail_creates()
    double.rate_limit_creates()
    double.reject_number(TO, 21610)
    double.set_outcome(TO, "failed", 30008)

    double.reset_faults()
    created = send(client)

    assert double.wait_idle()
    assert client.messages(created.sid).fetch().status == "delivered"


# -- status callbacks and inbound webhooks -------------------------------------


def test_status_callbacks_are_signed_and_in_order(
    double: TwilioDouble, client: Client, receiver: Receiver
):
    callback = receiver.url("/sms/status?attempt=1")
    created = send(client, status_callback=callback)

    assert wait_until(lambda: len(receiver.snapshot()) == 3, timeout=5, interval=0.02)
    posts = receiver.snapshot()
    validator = RequestValidator(double.auth_token)
    assert statuses(posts) == ["queued", "sent", "delivered"]
    for post in posts:
        signature = post["headers"]["x-twilio-signature"]
        assert post["url"] == callback
        assert validator.validate(post["url"], post["params"], signature)
        assert post["params"]["MessageSid"] == created.sid
        assert post["params"]["SmsStatus"] == post["params"]["MessageStatus"]
        assert "ErrorCode" not in post["params"]
    tampered = {**posts[0]["params"], "MessageStatus": "delivered"}
    assert not validator.validate(callback, tampered, signature)
    assert double.wait_idle()
    assert client.messages(created.sid).fetch().status == "delivered"


@pytest.mark.parametrize(
    ("outcome", "code", "expected"),
    [
        ("undelivered", 30007, ["queued", "sent", "undelivered"]),
        ("failed", 30008, ["queued", "failed"]),
    ],
)
def test_configured_numbers_end_badly(
    double: TwilioDouble, client: Client, receiver: Receiver, outcome, code, expected
):
    double.set_outcome(TO, outcome, code)

    created = send(client, status_callback=receiver.url("/status"))

    assert double.wait_idle()
    posts = receiver.snapshot()
    assert statuses(posts) == expected
    assert posts[-1]["params"]["ErrorCode"] == str(code)
    fetched = client.messages(created.sid).fetch()
    assert (fetched.status, fetched.error_code) == (outcome, code)


def test_duplicated_reversed_callbacks(
    double: TwilioDouble, client: Client, receiver: Receiver
):
    double.configure_callbacks(duplicates=3, order="reversed", delay=0.01)

    send(client, status_callback=receiver.url("/status"))

    assert double.wait_idle()
    posts = receiver.snapshot()
    assert statuses(posts) == ["delivered"] * 3 + ["sent"] * 3 + ["queued"] * 3
    tokens = [post["headers"]["i-twilio-idempotency-token"] for post in posts]
    assert len(set(tokens)) == 3
    assert tokens[0] == tokens[1] == tokens[2]


def test_shuffled_callbacks_keep_every_status(
    double: TwilioDouble, client: Client, receiver: Receiver
):
    double.configure_callbacks(order="shuffled", delay=0.01)

    send(client, status_callback=receiver.url("/status"))

    assert double.wait_idle()
    assert sorted(statuses(receiver.snapshot())) == ["delivered", "queued", "sent"]


def test_callbacks_off_still_progress_status(
    double: TwilioDouble, client: Client, receiver: Receiver
):
    double.configure_callbacks(enabled=False)

    created = send(client, status_callback=receiver.url("/status"))

    assert double.wait_idle()
    assert receiver.snapshot() == []
    assert client.messages(created.sid).fetch().status == "delivered"


def test_non_loopback_callback_is_refused(double: TwilioDouble, client: Client):
    send(client, status_callback="https://example.com/status")

    assert double.wait_idle()
    assert {result.error for result in double.callbacks} == {
        "refused: not a loopback URL"
    }


def test_inbound_sms_is_signed(double: TwilioDouble, receiver: Receiver):
    url = receiver.url("/sms/inbound")

    result = double.send_inbound(url, from_=TO, to=FROM, body="STOP")

    assert (result.status, result.body) == (200, "<Response></Response>")
    (post,) = receiver.snapshot()
    assert post["params"]["Body"] == "STOP"
    assert post["params"]["AccountSid"] == double.account_sid
    assert post["params"]["MessageSid"].startswith("SM")
    signature = post["headers"]["x-twilio-signature"]
    assert RequestValidator(double.auth_token).validate(url, post["params"], signature)


# -- notifications.twilio_http -------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.twilio.com/2010-04-01/A.json", "http://h:1/2010-04-01/A.json"),
        ("https://api.sydney.au1.twilio.com/x", "http://h:1/x"),
        ("https://messaging.twilio.com/v1/x", "https://messaging.twilio.com/v1/x"),
        (
            "https://api.twilio.com.evil.example/x",
            "https://api.twilio.com.evil.example/x",
        ),
    ],
)
def test_rewrite_api_url(url: str, expected: str):
    assert rewrite_api_url(url, "http://h:1/") == expected


def test_make_http_client_only_redirects_with_a_base_url():
    plain = make_http_client(timeout=2)
    redirected = make_http_client("http://127.0.0.1:9", timeout=2)

    assert type(plain) is TwilioHttpClient
    assert isinstance(redirected, BaseUrlHttpClient)
    assert (redirected.base_url, redirected.timeout) == ("http://127.0.0.1:9", 2)
