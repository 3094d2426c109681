"""The public tracking summary, cached per tracking code in the shared cache.

Applicants reload their tracking page far more often than their delivery changes, and
a look-up that reads the delivery and its events costs ten times Django's own work per
request. So the summary is kept in the cache (Redis) under a per-delivery version:
every change of a delivery (`record_event`, `delivery_update_details`) bumps the
version when its transaction commits, and readers only take an entry stored under the
current version. A reader that computed a summary from the old rows just before a
change stores it with the old version, which no reader takes: no stale page after a
change.

Both are keyed by the delivery's tracking code, which is what a look-up has: the
version and the entry are read in one round trip, which a caller may share with its own
commands (the public look-ups count the client's budget in it: `tracking_cache_keys`).
A change reads its delivery's code once (codes never change) to bump the version.

Only with a shared cache (`CACHE_URL`): a per-process cache could not hear of changes
made by the workers. `TRACKING_CACHE_TTL_S` (0: off) bounds how long an entry lives, and
so how long changes that are not a delivery's own take to show: the office's contact
details, or an SMS "STOP" (the page's SMS switch). When
the cache fails, the summary is computed from the database as without it.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from delivery.cache_health import warn_cache_down
from delivery.models import Delivery

logger = logging.getLogger(__name__)
T = TypeVar("T")
_VERSION_TTL_S = 7 * 24 * 3600


def tracking_cached(
    code: str,
    variant: str,
    compute: Callable[[], T],
    *,
    read: Mapping[str, Any] | None = None,
) -> T:
    """The cached value for a (normalized) tracking code (`variant`: e.g. the
    language), or `compute()` stored there. One round trip: the version and the entry
    are read together, and the entry is good only if it was stored under the current
    version. `read`: the values of `tracking_cache_keys` if the caller has read them
    already (a key it found nothing under maps to None), which saves the round trip."""
    if not settings.TRACKING_CACHE_TTL_S:
        return compute()
    version_key, key = tracking_cache_keys(code, variant)
    if read is not None and version_key in read and key in read:
        found = read
    else:
        try:
            found = cache.get_many([version_key, key])
        except (RedisError, OSError) as exc:
            warn_cache_down(logger, "tracking cache unreachable", exc)
            return compute()
    version = found.get(version_key) or 0
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    value = compute()
    if value is not None:
        _safely(cache.set, key, (version, value), timeout=settings.TRACKING_CACHE_TTL_S)
    return value


def tracking_cache_keys(code: str, variant: str) -> list[str]:
    """The cache keys `tracking_cached` reads: the version, then the entry."""
    return [_version_key(code), f"track:v3:{code}:{variant}"]


def tracking_cache_forget(delivery_id: int) -> None:
    """Make the delivery's cached summary unreadable once the transaction commits."""
    if not settings.TRACKING_CACHE_TTL_S:
        return
    code = (
        Delivery.objects.filter(pk=delivery_id)
        .values_list("tracking_code", flat=True)
        .first()
    )
    if code:
        transaction.on_commit(lambda: _bump(code))


def _bump(code: str) -> None:
    key = _version_key(code)
    if not _safely(cache.add, key, 1, timeout=_VERSION_TTL_S):
        _safely(cache.incr, key)


def _version_key(code: str) -> str:
    return f"trackver:v2:{code}"


def _safely(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except ValueError:  # incr of a key that expired meanwhile: the next add starts it
        return None
    except (RedisError, OSError) as exc:
        warn_cache_down(logger, "tracking cache unreachable", exc)
        return None
