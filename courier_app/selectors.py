"""Reads for the courier's screens: only the courier's own route of today."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import count

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from delivery.access import caller_for
from delivery.gazetteer import load_gazetteer
from delivery.models import Courier, Delivery, DeliveryEvent, Role, Status
from routing.models import PlannedDelivery, PlanStatus, Route

DONE = frozenset({Status.DELIVERED})


def courier_for_user(user: User | AnonymousUser) -> Courier | None:
    """The courier record of a logged-in courier, or None."""
    caller = caller_for(user)
    if caller.role != Role.COURIER:
        return None
    return (
        Courier.objects.select_related("staff__user", "staff__office")
        .filter(staff=caller.staff)
        .first()
    )


def _route_qs(courier: Courier) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        courier=courier, scheduled_date=timezone.localdate()
    ).select_related("document__applicant", "office")


def _stop_order(courier: Courier, ids: list[int]) -> dict[int, int]:
    planned = PlannedDelivery.objects.filter(
        plan__office_id=courier.staff.office_id,
        plan__date=timezone.localdate(),
        plan__status=PlanStatus.PUBLISHED,
        stop__route__courier=courier,
        delivery_id__in=ids,
    ).values_list("delivery_id", "stop__sequence")
    return dict(planned)


def route_today(courier: Courier) -> list[Delivery]:
    """Today's deliveries of the courier in the published plan's stop order."""
    deliveries = list(_route_qs(courier))
    order = _stop_order(courier, [d.pk for d in deliveries])
    far = timezone.now().replace(year=9999)
    deliveries.sort(key=lambda d: (order.get(d.pk, 10**6), d.eta_start_at or far, d.pk))
    gazetteer = load_gazetteer()
    # The numbers of the printed manifest (the plan's sequence), so that a stop that
    # leaves the route (a failed attempt) renumbers nothing; unplanned stops follow.
    unplanned = count(max(order.values(), default=0) + 1)
    for delivery in deliveries:
        # Display facts for the templates, set on the row itself because the
        # services take these rows; django-stubs cannot type attributes added to a
        # model instance after the query.
        number = order.get(delivery.pk) or next(unplanned)
        delivery.stop_number = number  # type: ignore[attr-defined]
        delivery.village = gazetteer.label(delivery.village_code)  # type: ignore[attr-defined]
    return deliveries


def route_start_today(courier: Courier) -> str:
    """Where today's route starts and ends: the published route's base, else the
    courier's base now (the office, a depot or their own pin)."""
    route = (
        Route.objects.filter(
            courier=courier,
            plan__date=timezone.localdate(),
            plan__status=PlanStatus.PUBLISHED,
        )
        .select_related("plan__office")
        .first()
    )
    if route is not None:
        return route.base()[0]
    return courier.base().label


def stop_for_courier(courier: Courier, delivery_id: int) -> Delivery:
    """One stop of the courier's route today; anything else is a 404."""
    for delivery in route_today(courier):
        if delivery.pk == delivery_id:
            return delivery
    raise Http404


def undoable_for_courier(courier: Courier, delivery_id: int) -> Delivery:
    """A delivery the courier failed today (for undo); anything else is a 404."""
    failed_today = DeliveryEvent.objects.filter(
        delivery_id=delivery_id,
        actor=courier.staff.user,
        to_status=Status.ATTEMPT_FAILED,
        at__date=timezone.localdate(),
    )
    if not failed_today.exists():
        raise Http404
    return Delivery.objects.get(pk=delivery_id)


def recently_failed(courier: Courier) -> list[Delivery]:
    """Deliveries the courier failed within the undo grace period."""
    since = timezone.now() - timedelta(seconds=settings.UNDO_GRACE_S)
    ids = DeliveryEvent.objects.filter(
        actor=courier.staff.user, to_status=Status.ATTEMPT_FAILED, at__gte=since
    ).values_list("delivery_id", flat=True)
    return list(
        Delivery.objects.filter(pk__in=set(ids))
        .exclude(status=Status.OUT_FOR_DELIVERY)
        .select_related("document__applicant")
    )


@dataclass(frozen=True)
class DaySummary:
    """The end of the day: what was handed over and what goes back to the office."""

    delivered: list[Delivery]
    still_out: list[Delivery]
    failed: list[Delivery]
    not_started: list[Delivery]

    @property
    def bring_back(self) -> list[Delivery]:
        return [*self.still_out, *self.failed, *self.not_started]


def day_summary(courier: Courier) -> DaySummary:
    """Today's outcome for the courier, including deliveries failed and re-queued."""
    route = route_today(courier)
    failed_ids = DeliveryEvent.objects.filter(
        actor=courier.staff.user,
        to_status=Status.ATTEMPT_FAILED,
        at__date=timezone.localdate(),
    ).values_list("delivery_id", flat=True)
    failed = Delivery.objects.filter(pk__in=set(failed_ids)).exclude(
        pk__in=[d.pk for d in route]
    )
    return DaySummary(
        delivered=[d for d in route if d.status == Status.DELIVERED],
        still_out=[d for d in route if d.status == Status.OUT_FOR_DELIVERY],
        failed=list(failed.select_related("document__applicant")),
        not_started=[d for d in route if d.status == Status.SCHEDULED],
    )
