"""The office puts a queued delivery off to a later working day (not before a date).

Planning takes the delivery again from that day on; the step is a delivery event, so
it is audited like every other change. It does not change the status and tells the
applicant nothing: the passport is not yet promised for any day.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.models import Delivery, EventKind, Status
from delivery.services.events import record_event
from delivery.services.transitions import Actor
from delivery.workdays import is_working_day

DEFERRED = "deferred"
DEFERRABLE = (Status.RECEIVED, Status.QUEUED)


@transaction.atomic
def delivery_defer(
    *, delivery: Delivery, actor: Actor, until: date, note: str = ""
) -> Delivery:
    """Plan the delivery no earlier than `until`, a working day before its deadline."""
    if until <= timezone.localdate() or not is_working_day(until):
        raise DomainError(_("Choose a working day after today."))
    if until > delivery.document.collection_deadline:
        raise DomainError(_("That day is after the collection deadline."))
    changed = Delivery.objects.filter(pk=delivery.pk, status__in=DEFERRABLE).update(
        not_before=until
    )
    if changed != 1:
        raise DomainError(_("Only a delivery waiting in the queue can be put off."))
    delivery.refresh_from_db(fields=["status", "not_before"])
    record_event(
        delivery_id=delivery.pk,
        kind=EventKind.RESCHEDULED,
        from_status=delivery.status,
        to_status=delivery.status,
        actor=actor,
        reason_code=DEFERRED,
        note=f"{until.isoformat()} {note}".strip(),
    )
    return delivery
