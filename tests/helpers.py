"""Small helpers shared by tests."""

import re
import threading
import time


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.2) -> bool:
    """Poll `predicate` until it is true or the timeout passes (for worker tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def sent_sms() -> list:
    """What the in-memory SMS backend sent in this test: (provider id, OutgoingSms)."""
    from notifications.backends import get_backend

    return list(get_backend().sent)


def last_sms_code() -> str:
    """The six-digit code in the last SMS sent in this test (a handover code)."""
    return re.search(r"\b(\d{6})\b", sent_sms()[-1][1].body).group(1)


def race_results(*calls, catching: type[Exception] | None = None) -> list:
    """Run the calls in threads released at once; each one's result or caught error.

    `catching` defaults to DomainError: a refusal is an outcome, anything else fails.
    """
    from django.db import connection

    from delivery.errors import DomainError

    catching = catching or DomainError
    barrier = threading.Barrier(len(calls))
    outcomes: list = [_UNFINISHED] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except catching as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    unfinished = [i for i, outcome in enumerate(outcomes) if outcome is _UNFINISHED]
    assert not unfinished, f"calls {unfinished} raised another error or hung"
    return outcomes


def race(*calls) -> list[str]:
    """Run the calls at once; "ok" or "refused" (TransitionNotAllowed) for each."""
    from delivery.errors import TransitionNotAllowed

    outcomes = race_results(*calls, catching=TransitionNotAllowed)
    return [
        "refused" if isinstance(o, TransitionNotAllowed) else "ok" for o in outcomes
    ]


def survey_path(delivery) -> str:
    """The survey page's path with the key, as the delivered SMS carries it (from the
    outbox before sending, from the in-memory phone after: the outbox forgets it)."""
    import re

    from notifications.models import SmsMessage

    outbox = SmsMessage.objects.get(
        key__startswith=f"delivery:{delivery.pk}:", template="delivered"
    )
    bodies = [outbox.body] + [sms.body for _, sms in sent_sms() if sms.to == outbox.to]
    pattern = rf"/t/{delivery.tracking_code}/nilai/\w+/"
    return next(m.group(0) for b in bodies if (m := re.search(pattern, b)))


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: connections are refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


_UNFINISHED = object()
