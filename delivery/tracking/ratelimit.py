"""A per-client budget of tracking look-ups, against guessing codes.

Counted in the Django cache (Redis when CACHE_URL is set, so all web processes share
it) per client address, in fixed windows. The address is REMOTE_ADDR: behind a proxy,
the proxy must set it to the client's address (e.g. gunicorn's forwarded-allow-ips with
a middleware that trusts only the proxy), otherwise every client shares one budget.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_LIMIT = 30
DEFAULT_WINDOW_S = 600


def _limit() -> int:
    return getattr(settings, "TRACKING_RATE_LIMIT", DEFAULT_LIMIT)


def _window_s() -> int:
    return getattr(settings, "TRACKING_RATE_WINDOW_S", DEFAULT_WINDOW_S)


def tracking_rate_limited(request: HttpRequest) -> bool:
    """Count one look-up for the client; True when it is over its budget."""
    window_s = _window_s()
    client = request.META.get("REMOTE_ADDR") or "unknown"
    key = f"tracking-rate:{client}:{int(time.time() // window_s)}"
    cache.add(key, 0, timeout=window_s)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_s)
        count = 1
    return count > _limit()
