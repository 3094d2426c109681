"""Reads of the trust pages, scoped to what the caller may see."""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from delivery import tracking_codes
from delivery.models import (
    AuditRecord,
    Complaint,
    ComplaintUpdate,
    Courier,
    Delivery,
    Role,
)
from delivery.selectors import delivery_list_for_user, staff_for_user


def delivery_by_public_code(code: str) -> Delivery | None:
    """The delivery a typed tracking code names, or None (bad or unknown code alike)."""
    try:
        normalized = tracking_codes.normalize(code)
    except tracking_codes.InvalidTrackingCode:
        return None
    return (
        Delivery.objects.select_related("document__applicant")
        .filter(tracking_code=normalized)
        .first()
    )


def complaint_by_ticket(ticket: str) -> Complaint | None:
    """A complaint by its ticket (case-insensitive), or None."""
    return Complaint.objects.filter(ticket=ticket.strip().upper()).first()


def complaint_public_updates(complaint: Complaint) -> QuerySet[ComplaintUpdate]:
    """The steps the applicant sees: status and public note, never internal notes."""
    return complaint.updates.only("at", "status_after", "public_note", "complaint_id")


def has_role(user: AbstractBaseUser, *roles: str) -> bool:
    """Whether the user is a superuser or has one of these roles in an office."""
    if getattr(user, "is_superuser", False):
        return True
    staff = staff_for_user(user)
    return staff is not None and staff.role in roles


def complaints_for_user(user: AbstractBaseUser) -> QuerySet[Complaint]:
    """Complaints a dispatcher handles: their office's deliveries and general ones."""
    complaints = Complaint.objects.select_related("delivery").order_by(
        "resolved_at", "due_at", "id"
    )
    if user.is_superuser:
        return complaints
    staff = staff_for_user(user)
    if staff is None or staff.role != Role.DISPATCHER:
        return complaints.none()
    return complaints.filter(Q(delivery__office=staff.office) | Q(delivery=None))


def audit_records_for(
    *,
    user: AbstractBaseUser,
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


def _office_records(user: AbstractBaseUser) -> QuerySet[AuditRecord]:
    """What an auditor may read: their office's deliveries and staff (root: all)."""
    if user.is_superuser:
        return AuditRecord.objects.all()
    staff = staff_for_user(user)
    if staff is None:
        return AuditRecord.objects.none()
    subjects = (
        Delivery.objects.filter(office=staff.office)
        .annotate(key=Concat(Value("delivery:"), Cast("id", CharField())))
        .values("key")
    )
    return AuditRecord.objects.filter(
        Q(subject__in=subjects) | Q(actor__staff__office=staff.office)
    )
