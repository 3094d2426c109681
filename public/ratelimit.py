"""A per-client budget of public look-ups (tracking codes, tickets), against guessing.

Counted in the Django cache (Redis when CACHE_URL is set, so all web processes share
it) per client address, in fixed windows. The address is REMOTE_ADDR, which behind
the TLS proxy config/proxy.py sets from the proxy's X-Forwarded-For (TRUSTED_PROXIES),
so applicants do not share one budget.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def tracking_rate_limited(request: HttpRequest, scope: str = "lookup") -> bool:
    """Count one request of the client in `scope`; True when it is over its budget.

    Every page that looks up a tracking code shares the "lookup" scope, so guessing
    through the survey or complaint pages draws on the same budget."""
    window_s = settings.TRACKING_RATE_WINDOW_S
    client = request.META.get("REMOTE_ADDR") or "unknown"
    key = f"rate:{scope}:{client}:{int(time.time() // window_s)}"
    cache.add(key, 0, timeout=window_s)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_s)
        count = 1
    return count > settings.TRACKING_RATE_LIMIT
