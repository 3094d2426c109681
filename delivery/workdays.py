"""The office's working days: Monday to Friday, without Indonesia's public holidays.

Public holidays come from the `holidays` package (national holidays of Indonesia;
Islamic dates a year ahead are its estimates). The office can add its own closed days
(cuti bersama, a local closure) with OFFICE_CLOSED_DAYS. Couriers deliver and
applicants may choose only working days.
"""

from datetime import date, timedelta
from functools import cache

import holidays
from django.conf import settings


@cache
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=[year]))


def is_working_day(day: date) -> bool:
    """Whether the office delivers on this day."""
    if day.weekday() not in settings.OFFICE_WORKING_WEEKDAYS:
        return False
    return day not in settings.OFFICE_CLOSED_DAYS and (
        day not in _national_holidays(day.year)
    )


def working_days_after(day: date, *, within_days: int) -> list[date]:
    """The working days among the `within_days` calendar days after `day`."""
    days = (day + timedelta(days=n) for n in range(1, within_days + 1))
    return [d for d in days if is_working_day(d)]


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    following = day + timedelta(days=1)
    while not is_working_day(following):
        following += timedelta(days=1)
    return following
