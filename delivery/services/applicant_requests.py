"""What an applicant may ask for on the tracking page: another day, a time window,
collection at the office, and no more SMS. Anyone holding the tracking code may ask.

Each request is recorded as an event by the applicant and confirmed by SMS, in the same
transaction. A scheduled delivery is first put back in the queue, so that the next plan
honours the request.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from delivery.errors import DomainError, TransitionNotAllowed
from delivery.models import Delivery, DeliveryEvent, EventKind, Status
from delivery.notify import tracking_link
from delivery.services.events import record_event
from delivery.services.lifecycle import delivery_hold, delivery_unschedule
from delivery.services.transitions import Actor
from delivery.workdays import working_days_after
from notifications.services import queue_sms, sms_opt_in, sms_opt_out

S = Status
# Before the passport leaves the office the applicant may still change the plan.
CHANGEABLE = frozenset({S.RECEIVED, S.QUEUED, S.SCHEDULED})
REQUEST_DAYS_AHEAD = 14
WINDOW_HOURS = 2
WINDOW_EARLIEST = time(8, 0)
WINDOW_LATEST_END = time(16, 0)
HOLD_REASON = "applicant_request"


class RequestReason:
    """Reason codes of the applicant's request events."""

    ANOTHER_DAY = "another_day"
    TIME_WINDOW = "time_window"
    SMS_OFF = "sms_opt_out"
    SMS_ON = "sms_opt_in"


def request_day_choices(*, delivery: Delivery, today: date | None = None) -> list[date]:
    """Working days an applicant may ask for: within 14 days, before the deadline."""
    return request_days_before(delivery.document.collection_deadline, today=today)


def request_days_before(deadline: date, *, today: date | None = None) -> list[date]:
    """The working days of the next 14 before `deadline` (what the page offers)."""
    days = working_days_after(
        today or timezone.localdate(), within_days=REQUEST_DAYS_AHEAD
    )
    return [day for day in days if day < deadline]


def window_start_choices() -> list[time]:
    """Starts of the two-hour windows an applicant may ask for (08.00 to 14.00)."""
    last = WINDOW_LATEST_END.hour - WINDOW_HOURS
    return [time(hour, 0) for hour in range(WINDOW_EARLIEST.hour, last + 1)]


@transaction.atomic
def delivery_request_day(
    *, delivery: Delivery, on_date: date, today: date | None = None
) -> Delivery:
    """The applicant asks for delivery on `on_date` or later."""
    if on_date not in request_day_choices(delivery=delivery, today=today):
        raise DomainError(
            _(
                "Choose a working day within the next 14 days and before the "
                "collection deadline."
            )
        )
    delivery = _back_to_queue(delivery)
    _update_queued(delivery, requested_date=on_date)
    return _confirm(delivery, reason_code=RequestReason.ANOTHER_DAY)


@transaction.atomic
def delivery_request_window(*, delivery: Delivery, window_start: time) -> Delivery:
    """The applicant asks for a two-hour window between 08.00 and 16.00."""
    if window_start not in window_start_choices():
        raise DomainError(_("Choose a two-hour window between 08.00 and 16.00."))
    start = datetime.combine(date.min, window_start)
    window_end = (start + timedelta(hours=WINDOW_HOURS)).time()
    _refuse_on_todays_route(delivery)
    # The day it was planned for: the window applies from then on (the SMS says so).
    planned_day = delivery.scheduled_date if delivery.status == S.SCHEDULED else None
    delivery = _back_to_queue(delivery)
    _update_queued(delivery, window_start=window_start, window_end=window_end)
    return _confirm(
        delivery, reason_code=RequestReason.TIME_WINDOW, planned_day=planned_day
    )


def delivery_hold_for_collection(*, delivery: Delivery) -> Delivery:
    """The applicant will collect the passport at the office: no more planning."""
    delivery.refresh_from_db(fields=["status"])
    if delivery.status not in CHANGEABLE:
        raise _not_changeable()
    return delivery_hold(
        delivery=delivery,
        actor=Actor.applicant(),
        reason=HOLD_REASON,
        reason_code=HOLD_REASON,
    )


@transaction.atomic
def delivery_sms_opt_out(*, delivery: Delivery) -> Delivery:
    """Stop all but the handover-code SMS to the applicant's number."""
    sms_opt_out(phone=delivery.document.applicant.phone, source="tracking_page")
    _record(delivery, reason_code=RequestReason.SMS_OFF)
    return delivery


@transaction.atomic
def delivery_sms_opt_in(*, delivery: Delivery) -> Delivery:
    """Send every SMS to the applicant's number again."""
    sms_opt_in(phone=delivery.document.applicant.phone)
    _record(delivery, reason_code=RequestReason.SMS_ON)
    return delivery


def _refuse_on_todays_route(delivery: Delivery) -> None:
    # Taking a stop off today's published route for a window would silently delay the
    # passport by a day or more; the office can still move it by phone.
    delivery.refresh_from_db(fields=["status", "scheduled_date"])
    today = timezone.localdate()
    if delivery.status == S.SCHEDULED and delivery.scheduled_date == today:
        raise DomainError(
            _(
                "Your passport is on today's route; a time window can no longer be "
                "asked for today. Ask for another day, or call the office."
            )
        )


def _not_changeable() -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("The passport has already left the office; this can no longer be changed.")
    )


def _back_to_queue(delivery: Delivery) -> Delivery:
    delivery.refresh_from_db(fields=["status"])
    if delivery.status not in CHANGEABLE:
        raise _not_changeable()
    if delivery.status == S.SCHEDULED:
        return delivery_unschedule(
            delivery=delivery, actor=Actor.applicant(), note=HOLD_REASON
        )
    return delivery


def _update_queued(delivery: Delivery, **fields: object) -> None:
    """Write the request, but only while the passport is still at the office."""
    changed = Delivery.objects.filter(
        pk=delivery.pk, status__in=[S.RECEIVED, S.QUEUED]
    ).update(**fields)
    if changed != 1:
        raise _not_changeable()
    for name, value in fields.items():
        setattr(delivery, name, value)


def _record(delivery: Delivery, *, reason_code: str) -> DeliveryEvent:
    return record_event(
        delivery_id=delivery.pk,
        kind=EventKind.APPLICANT_REQUEST,
        from_status=delivery.status,
        to_status=delivery.status,
        actor=Actor.applicant(),
        reason_code=reason_code,
    )


def _confirm(
    delivery: Delivery, *, reason_code: str, planned_day: date | None = None
) -> Delivery:
    event = _record(delivery, reason_code=reason_code)
    applicant = delivery.document.applicant
    with translation.override(applicant.language):
        context = _sms_context(delivery, planned_day)
    queue_sms(
        to=applicant.phone,
        template="request_received",
        context=context,
        key=f"delivery:{delivery.pk}:event:{event.pk}",
        language=applicant.language,
        subject=f"delivery:{delivery.pk}",
    )
    return delivery


def _sms_context(delivery: Delivery, planned_day: date | None) -> dict[str, str]:
    """The confirmation's values; a later day is named with its year, as the day the
    request applies from ("Senin, 7 Des 2026"), so it is not read as today."""
    day = delivery.requested_date
    if day is None and planned_day and planned_day > timezone.localdate():
        day = planned_day
    return {
        "link": tracking_link(delivery),
        "date": formats.date_format(day, "l, j M Y") if day else "",
        "start": _clock(delivery.window_start),
        "end": _clock(delivery.window_end),
    }


def _clock(value: time | None) -> str:
    return value.strftime("%H.%M") if value else ""
