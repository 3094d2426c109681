"""Say once a minute per process (not once per request) that the cache is down."""

import logging
import time

WARN_EVERY_S = 60
_warned_at: dict[str, float] = {}


def warn_cache_down(logger: logging.Logger, what: str, exc: Exception) -> None:
    """Log `what` with the error, at most once a minute for each `what`."""
    now = time.monotonic()
    if now - _warned_at.get(what, -WARN_EVERY_S) >= WARN_EVERY_S:
        _warned_at[what] = now
        logger.warning("%s: %s", what, exc)
