"""Quiet hours: SMS that can wait are not sent at night (office time, WIB).

Kept apart from the outbox's services so that the rule reads in one place: the outbox
asks `sms_hold_until` once, when it writes a message, and stores the answer as the
message's `next_attempt_at`; the sweep sends it once that time has come.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def _clock(value: str, name: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be HH:MM, got {value!r}") from None


def quiet_window() -> tuple[time, time] | None:
    """(start, end) of the quiet hours, or None when either setting is empty."""
    start, end = settings.SMS_QUIET_START, settings.SMS_QUIET_END
    if not start or not end:
        return None
    return _clock(start, "SMS_QUIET_START"), _clock(end, "SMS_QUIET_END")


def sms_hold_until(now: datetime) -> datetime | None:
    """When a non-urgent SMS written at `now` may go: the quiet hours' end, or None."""
    window = quiet_window()
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(now)
    clock = local.time()
    # A window like 21:00-07:00 wraps midnight; 13:00-14:00 would not.
    quiet = start <= clock < end if start < end else clock >= start or clock < end
    if not quiet:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)
