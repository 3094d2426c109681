"""Reads of the complaint list and the audit trail, scoped to the caller's office."""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from delivery.access import caller_for
from delivery.models import AuditRecord, Complaint, Courier, Role
from delivery.selectors import audit_records_of_office, delivery_list_for_user


def complaints_for_user(user: User) -> QuerySet[Complaint]:
    """Complaints a dispatcher handles: their office's deliveries and general ones."""
    complaints = Complaint.objects.select_related("delivery").order_by(
        "resolved_at", "due_at", "id"
    )
    caller = caller_for(user)
    if caller.staff is None and caller.is_superuser:
        return complaints
    if caller.role != Role.DISPATCHER:
        return complaints.none()
    return complaints.filter(Q(delivery__office=caller.office) | Q(delivery=None))


def audit_records_for(
    *,
    user: User,
    tracking_code: str = "",
    courier: Courier | None = None,
    day=None,
) -> QuerySet[AuditRecord] | None:
    """The trail of a delivery, a courier and/or a day; None for an unseen delivery."""
    records = _office_records(user).select_related("actor").order_by("id")
    if tracking_code:
        delivery = delivery_list_for_user(user).filter(tracking_code=tracking_code)
        delivery_id = delivery.values_list("id", flat=True).first()
        if delivery_id is None:
            return None
        records = records.filter(subject=f"delivery:{delivery_id}")
    if courier is not None:
        records = records.filter(actor=courier.staff.user)
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, time.min))
        records = records.filter(at__gte=start, at__lt=start + timedelta(days=1))
    return records


def _office_records(user: User) -> QuerySet[AuditRecord]:
    """What an auditor may read: their office's deliveries and staff (root: all)."""
    caller = caller_for(user)
    if caller.staff is None:
        return (
            AuditRecord.objects.all()
            if caller.is_superuser
            else AuditRecord.objects.none()
        )
    return audit_records_of_office(office_id=caller.staff.office_id)
