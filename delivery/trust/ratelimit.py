"""A small per-client rate limit for public pages, kept in the Django cache."""

from django.core.cache import cache
from django.http import HttpRequest

LIMIT = 30
WINDOW_S = 600


def rate_limited(request: HttpRequest, scope: str) -> bool:
    """Count this request; True once the client went over LIMIT in the window."""
    # REMOTE_ADDR is the proxy's address unless the proxy sets it from the client.
    key = f"trust-rate:{scope}:{request.META.get('REMOTE_ADDR', '')}"
    if cache.add(key, 1, WINDOW_S):
        return False
    try:
        return cache.incr(key) > LIMIT
    except ValueError:
        return False
