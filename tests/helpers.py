"""Small helpers shared by tests."""

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
