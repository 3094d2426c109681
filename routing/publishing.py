"""What publishing a draft will do, shown before it is done; publishing with consent.

A dispatcher sees the deliveries scheduled, moved and unscheduled, the couriers whose
day changes or empties, the SMS that go out, and the lateness; publishing then needs
an explicit confirmation, a reason when it takes back a published promise, and an
acknowledgement when the plan is late or runs past a shift.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.models import Status
from routing import services
from routing.models import PlannedDelivery, PlanStatus, RoutePlan
from routing.review import plan_lateness
from routing.selectors import route_plan_with_routes


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
    for item in services._planned_items(plan):
        delivery, stop = item.delivery, item.stop
        if stop is None:  # _planned_items takes only deliveries placed on a stop
            continue
        courier = stop.route.courier
        names[courier.pk] = str(courier)
        days.setdefault(courier.pk, set()).add(delivery.pk)
        if delivery.status == Status.QUEUED:
            preview.scheduled.append(delivery.pk)
            touched.add(courier.pk)
        elif delivery.status == Status.SCHEDULED and services._changed(delivery, stop):
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
    return services.route_plan_publish(plan=plan, actor=actor, reason=reason.strip())
