"""Reads of the delivery domain, scoped to what the asking user may see."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from delivery.access import staff_for_user
from delivery.models import (
    AuditRecord,
    Complaint,
    Courier,
    Delivery,
    DeliveryEvent,
    Role,
    Staff,
)


def delivery_list_for_user(
    user: User | AnonymousUser,
) -> QuerySet[Delivery]:
    """Deliveries the user may see: a courier only those given to them."""
    deliveries = Delivery.objects.select_related(
        "office", "document", "document__applicant", "courier__staff__user"
    ).order_by("-created_at", "-id")
    if getattr(user, "is_superuser", False):
        return deliveries
    staff = staff_for_user(user)
    if staff is None:
        return deliveries.none()
    if staff.role == Role.COURIER:
        return deliveries.filter(courier__staff=staff)
    return deliveries.filter(office=staff.office)


def delivery_events(delivery: Delivery) -> QuerySet[DeliveryEvent]:
    """A delivery's history, oldest first."""
    return DeliveryEvent.objects.filter(delivery=delivery).order_by("at", "id")


def deliveries_to_plan(
    *, office_id: int, exclude_ids: set[int], on_date: date | None = None
) -> QuerySet[Delivery]:
    """Queued deliveries of an office that have a location, for planning on a day."""
    deliveries = Delivery.objects.filter(
        office_id=office_id, status="queued", lat__isnull=False
    )
    if on_date is not None:
        # The applicant asked for this day or later on the tracking page.
        deliveries = deliveries.exclude(requested_date__gt=on_date)
        # The office put it off to a later day (deferred from a plan's left-out list).
        deliveries = deliveries.exclude(not_before__gt=on_date)
    return (
        deliveries.exclude(pk__in=exclude_ids).select_related("document").order_by("id")
    )


def couriers_available(*, office_id: int, courier_ids: list[int] | None = None):
    """Active couriers of an office (optionally only those named)."""
    couriers = Courier.objects.filter(staff__office_id=office_id, is_active=True)
    if courier_ids:
        couriers = couriers.filter(pk__in=courier_ids)
    return couriers.select_related("staff__user", "staff__office", "depot").order_by(
        "id"
    )


def delivery_ids_failed_on(*, office_id: int, day) -> set[int]:
    """Deliveries of an office with a failed attempt on that (local) day."""
    events = DeliveryEvent.objects.filter(
        delivery__office_id=office_id, to_status="attempt_failed", at__date=day
    )
    return set(events.values_list("delivery_id", flat=True))


def audit_records_of_office(*, office_id: int) -> QuerySet[AuditRecord]:
    """Audit records of an office: its deliveries', complaints', couriers', staff's
    actions."""
    # Records without a delivery subject have no office of their own: complaints go
    # by their delivery (general ones, like their list, to every office), sign-in
    # records by the staff member they are about.
    complaints = Complaint.objects.filter(
        Q(delivery__office_id=office_id) | Q(delivery=None)
    )
    users = Staff.objects.filter(office_id=office_id)
    couriers = Courier.objects.filter(staff__office_id=office_id)
    return AuditRecord.objects.filter(
        Q(subject__in=_keys(Delivery.objects.filter(office_id=office_id), "delivery:"))
        | Q(subject__in=_keys(complaints, "complaint:", "ticket"))
        | Q(subject__in=_keys(users, "user:", "user_id"))
        | Q(subject__in=_keys(couriers, "courier:"))
        | Q(actor__staff__office_id=office_id)
    )


def _keys(rows: QuerySet, prefix: str, field: str = "id") -> QuerySet:
    """Audit subjects (`prefix` + field) of these rows, as a subquery."""
    return rows.annotate(key=Concat(Value(prefix), Cast(field, CharField()))).values(
        "key"
    )


def login_lockouts_since(
    *, username: str | None, ip_address: str | None, since: datetime
) -> int:
    """How many sign-in locks of this account or this address the audit trail holds."""
    user_id = (
        get_user_model()
        .objects.filter(username=username)
        .values_list("pk", flat=True)
        .first()
        if username
        else None
    )
    match = Q(data__ip_address=ip_address) if ip_address else Q(pk__in=[])
    if user_id:
        match |= Q(subject=f"user:{user_id}")
    return AuditRecord.objects.filter(
        match, action="auth.locked_out", at__gte=since
    ).count()
