"""A per-client budget of public look-ups (tracking codes, tickets), against guessing.

Counted in the Django cache (Redis when CACHE_URL is set, so all web processes share
it) per client address, in fixed windows. The address is REMOTE_ADDR, which behind
the TLS proxy config/proxy.py sets from the proxy's X-Forwarded-For (TRUSTED_PROXIES),
so applicants do not share one budget.

When the cache is unreachable the pages are still served: each web process counts on
its own until the cache is back (a guesser gets at most one budget per process), and
/healthz reports the cache as failed so that an operator sees it.
"""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from redis.exceptions import RedisError

from delivery.cache_health import warn_cache_down

logger = logging.getLogger(__name__)
_fallback = LocMemCache("antar-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


def tracking_rate_limited(request: HttpRequest, scope: str = "lookup") -> bool:
    """Count one request of the client in `scope`; True when it is over its budget.

    Every page that looks up a tracking code shares the "lookup" scope, so guessing
    through the survey or complaint pages draws on the same budget."""
    return tracking_rate_limited_reading(request, [], scope)[0]


def tracking_rate_limited_reading(
    request: HttpRequest, keys: list[str], scope: str = "lookup"
) -> tuple[bool, dict[str, Any] | None]:
    """As `tracking_rate_limited`, and the cache's values of `keys` (None for a key
    with none), read in the same round trip to Redis; None when they were not read
    (another cache, or Redis failed): then the caller reads them itself."""
    window_s = settings.TRACKING_RATE_WINDOW_S
    client = request.META.get("REMOTE_ADDR") or "unknown"
    key = f"rate:{scope}:{client}:{int(time.time() // window_s)}"
    store = caches["default"]
    read = None
    try:
        if isinstance(store, RedisCache):
            count, read = _count_in_redis(store, key, window_s, keys)
        else:
            count = _count(store, key, window_s)
    except (RedisError, OSError) as exc:
        warn_cache_down(
            logger, "rate-limit cache unreachable, counting per process", exc
        )
        count = _count(_fallback, key, window_s)
    return count > settings.TRACKING_RATE_LIMIT, read


def _count(store: BaseCache, key: str, window_s: int) -> int:
    try:
        return store.incr(key)
    except ValueError:  # the window's first look-up (or its key just expired)
        if store.add(key, 1, timeout=window_s):
            return 1
        return store.incr(key)  # another process started the window meanwhile


def _count_in_redis(
    store: RedisCache, key: str, window_s: int, keys: list[str]
) -> tuple[int, dict[str, Any]]:
    # Django's incr() asks EXISTS first: a plain INCR is one round trip on every
    # look-up, and the window's first sets the expiry. The reads go in the same
    # round trip: a look-up then costs one (its data is not used when over budget).
    full_key = store.make_and_validate_key(key)
    client = store._cache.get_client(full_key, write=True)
    if keys:
        full_keys = [store.make_and_validate_key(k) for k in keys]
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.mget(full_keys)
        count, values = pipeline.execute()
        loads = store._cache._serializer.loads  # type: ignore[attr-defined]
        read = {
            k: None if v is None else loads(v)
            for k, v in zip(keys, values, strict=True)
        }
    else:
        count, read = client.incr(full_key), {}
    if int(count) == 1:
        client.expire(full_key, window_s)
    return int(count), read
