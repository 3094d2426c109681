"""Reads of route plans, scoped to the caller's office."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet

from delivery.access import staff_for_user
from routing.models import PlannedDelivery, Route, RoutePlan, Stop


def route_plan_list_for_user(
    user: User | AnonymousUser,
) -> QuerySet[RoutePlan]:
    """Plans of the caller's office (all offices for a superuser)."""
    plans = RoutePlan.objects.select_related("office").order_by("-created_at")
    if getattr(user, "is_superuser", False):
        return plans
    staff = staff_for_user(user)
    return plans.filter(office=staff.office) if staff else plans.none()


def route_plan_with_routes(plan: RoutePlan) -> list[Route]:
    """The plan's routes with stops and their deliveries, in order, in three queries."""
    items = PlannedDelivery.objects.select_related("delivery")
    stops = Stop.objects.order_by("sequence").prefetch_related(Prefetch("items", items))
    return list(
        plan.routes.select_related("courier__staff__user")
        .prefetch_related(Prefetch("stops", stops))
        .order_by("id")
    )


def route_plan_dropped(plan: RoutePlan) -> QuerySet[PlannedDelivery]:
    """Deliveries the plan leaves out, with the reason."""
    return plan.items.filter(stop__isnull=True).select_related("delivery__document")
