"""What publishing a draft will do, shown before it is done; publishing with consent.

A dispatcher sees the deliveries scheduled, moved and unscheduled, the couriers whose
day changes or empties, the SMS that go out, and the lateness; publishing then needs
an explicit confirmation, a reason when it takes back a published promise, and an
acknowledgement when the plan is late or runs past a shift. Publishing schedules
every planned delivery (and tells each applicant) and supersedes the day's old plan,
in one transaction.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery import services as delivery_services
from delivery.errors import DomainError
from delivery.models import Delivery, Status
from delivery.services.audit import audit_append
from routing.models import PlannedDelivery, PlanStatus, RoutePlan, Stop
from routing.review import plan_lateness
from routing.selectors import route_plan_with_routes
from routing.services import route_plan_date_check


@dataclass
class PublishPreview:
    """The effect of publishing a draft, computed without changing anything."""

    scheduled: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    unscheduled: list[int] = field(default_factory=list)
    couriers_changed: list[str] = field(default_factory=list)
    couriers_emptied: list[str] = field(default_factory=list)
    late_stops: int = 0
    overtime_s: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def sms(self) -> int:
        """One SMS per applicant whose delivery is scheduled, moved or unscheduled."""
        return len(self.scheduled) + len(self.moved) + len(self.unscheduled)

    @property
    def needs_reason(self) -> bool:
        return bool(self.unscheduled or self.couriers_emptied)

    @property
    def needs_late_ack(self) -> bool:
        return bool(self.late_stops or self.overtime_s)

    @property
    def publishable(self) -> bool:
        return not self.problems


def route_plan_publish_preview(*, plan: RoutePlan) -> PublishPreview:
    """What publishing `plan` would schedule, move, unschedule and send."""
    preview = PublishPreview()
    if plan.status == PlanStatus.FAILED:
        preview.problems.append(_("The planner found no plan; it cannot be published."))
    elif plan.status != PlanStatus.DRAFT:
        preview.problems.append(_("Only a draft plan can be published."))
    names: dict[int, str] = {}
    touched: set[int] = set()
    before = _previous_days(plan, names)
    after = _new_days(plan, preview, touched, names)
    kept = {d for days in after.values() for d in days}
    emptied = set()
    for courier, days in before.items():
        preview.unscheduled += sorted(days - kept)
        if days and not after.get(courier):
            emptied.add(courier)
        elif days != after.get(courier, set()):
            touched.add(courier)
    preview.couriers_emptied = sorted(names[c] for c in emptied)
    preview.couriers_changed = sorted(names[c] for c in touched - emptied)
    preview.scheduled.sort()
    preview.moved.sort()
    routes = route_plan_with_routes(plan)
    for lateness in plan_lateness(plan, routes).values():
        preview.late_stops += len(lateness.late_stop_ids)
        preview.overtime_s += lateness.overtime_s
    return preview


def _new_days(
    plan: RoutePlan, preview: PublishPreview, touched: set[int], names: dict
) -> dict[int, set[int]]:
    """Per courier, the deliveries the draft places; notes what it changes."""
    days: dict[int, set[int]] = {}
    for item in _planned_items(plan):
        delivery, stop = item.delivery, item.stop
        if stop is None:  # _planned_items takes only deliveries placed on a stop
            continue
        courier = stop.route.courier
        names[courier.pk] = str(courier)
        days.setdefault(courier.pk, set()).add(delivery.pk)
        if delivery.status == Status.QUEUED:
            preview.scheduled.append(delivery.pk)
            touched.add(courier.pk)
        elif delivery.status == Status.SCHEDULED and _changed(delivery, stop):
            preview.moved.append(delivery.pk)
            touched.add(courier.pk)
    return days


def _previous_days(plan: RoutePlan, names: dict) -> dict[int, set[int]]:
    """Per courier, the deliveries the published plan of the day still promises."""
    items = PlannedDelivery.objects.filter(
        plan__office=plan.office_id,
        plan__date=plan.date,
        plan__status=PlanStatus.PUBLISHED,
        stop__isnull=False,
        delivery__status=Status.SCHEDULED,
    ).exclude(plan=plan)
    days: dict[int, set[int]] = {}
    for item in items.select_related("stop__route__courier__staff__user"):
        if item.stop is not None:
            courier = item.stop.route.courier
            names[courier.pk] = str(courier)
            days.setdefault(courier.pk, set()).add(item.delivery_id)
    return days


def route_plan_publish_confirmed(
    *,
    plan: RoutePlan,
    actor: User,
    confirm: bool,
    reason: str = "",
    accept_lateness: bool = False,
) -> RoutePlan:
    """Publish a draft once the dispatcher confirmed what the preview showed."""
    preview = route_plan_publish_preview(plan=plan)
    if not preview.publishable:
        raise DomainError(preview.problems[0])
    if not confirm:
        raise DomainError(_("Publishing needs your confirmation."))
    if preview.needs_reason and not reason.strip():
        raise DomainError(
            _("Give a reason: this takes back deliveries already promised.")
        )
    if preview.needs_late_ack and not accept_lateness:
        raise DomainError(
            _("This plan is late or runs past a shift: confirm that explicitly.")
        )
    return route_plan_publish(plan=plan, actor=actor, reason=reason.strip())


@transaction.atomic
def route_plan_publish(*, plan: RoutePlan, actor: User, reason: str = "") -> RoutePlan:
    """Schedule every planned delivery, tell each applicant, supersede the old plan."""
    route_plan_date_check(plan.date)
    published = RoutePlan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
        status=PlanStatus.PUBLISHED, published_at=timezone.now(), published_by=actor
    )
    if not published:
        raise DomainError(_("Only a draft plan can be published."))
    who = delivery_services.Actor.staff(actor)
    previous = RoutePlan.objects.filter(
        office=plan.office, date=plan.date, status=PlanStatus.PUBLISHED
    ).exclude(pk=plan.pk)
    kept = set()
    for item in _planned_items(plan):
        kept.add(item.delivery_id)
        _schedule(item, plan, who)
    for old in previous:
        _unschedule_dropped(old, kept, who, reason)
    previous.update(status=PlanStatus.SUPERSEDED)
    audit_append(
        action="plan.published",
        subject=f"plan:{plan.pk}",
        actor=actor,
        actor_kind=who.kind,
        data={
            "office_id": plan.office_id,
            "date": plan.date,
            "deliveries": len(kept),
            "reason": reason,
        },
    )
    plan.refresh_from_db()
    return plan


def _planned_items(plan: RoutePlan):
    return PlannedDelivery.objects.filter(plan=plan, stop__isnull=False).select_related(
        "delivery", "stop__route__courier"
    )


def _schedule(item: PlannedDelivery, plan: RoutePlan, who) -> None:
    delivery, stop = item.delivery, item.stop
    if stop is None:  # _planned_items takes only deliveries placed on a stop
        raise ValueError(f"planned delivery {item.pk} has no stop")
    courier = stop.route.courier
    if delivery.status == Status.QUEUED:
        delivery_services.delivery_schedule(
            delivery=delivery,
            actor=who,
            courier=courier,
            on_date=plan.date,
            eta_start_at=stop.eta_start_at,
            eta_end_at=stop.eta_end_at,
        )
    elif delivery.status == Status.SCHEDULED and _changed(delivery, stop):
        delivery_services.delivery_reschedule(
            delivery=delivery,
            actor=who,
            courier=courier,
            eta_start_at=stop.eta_start_at,
            eta_end_at=stop.eta_end_at,
        )


def _changed(delivery: Delivery, stop: Stop) -> bool:
    return (delivery.courier_id, delivery.eta_start_at, delivery.eta_end_at) != (
        stop.route.courier_id,
        stop.eta_start_at,
        stop.eta_end_at,
    )


def _unschedule_dropped(old: RoutePlan, kept: set[int], who, reason: str) -> None:
    note = f"re-planned (plan {old.pk})" + (f": {reason}" if reason else "")
    for item in _planned_items(old).exclude(delivery_id__in=kept):
        if item.delivery.status == Status.SCHEDULED:
            delivery_services.delivery_unschedule(
                delivery=item.delivery, actor=who, note=note[:500]
            )
