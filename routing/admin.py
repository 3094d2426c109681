"""Back office view of route plans, each limited to the caller's office."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet

from delivery.admin_scope import OfficeScopedAdmin, office_rows
from routing.models import PlannedDelivery, Route, RoutePlan, Stop

ROUTE_FIELDS = ("courier", "load", "distance_m", "duration_s", "start_at", "end_at")
# From a routing model to the id of its office.
ROUTING_OFFICE_PATHS: dict[type[Model], str] = {
    RoutePlan: "office_id",
    Route: "plan__office_id",
    Stop: "route__plan__office_id",
    PlannedDelivery: "plan__office_id",
}


class RoutingScopedAdmin(OfficeScopedAdmin):
    """Related choices know the routing models as well as the delivery ones."""

    def scope_related(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        path = ROUTING_OFFICE_PATHS.get(queryset.model)
        if path is None:
            return office_rows(queryset, office_id)
        return queryset.filter(**{path: office_id})


class RouteInline(admin.TabularInline):
    model = Route
    fields = ROUTE_FIELDS
    readonly_fields = ROUTE_FIELDS
    extra = 0
    can_delete = False


@admin.register(RoutePlan)
class RoutePlanAdmin(RoutingScopedAdmin):
    list_display = [
        "__str__",
        "date",
        "status",
        "progress",
        "created_at",
        "published_at",
    ]
    list_filter = ["status", ("office", admin.RelatedOnlyFieldListFilter), "date"]
    readonly_fields = [f.name for f in RoutePlan._meta.fields]
    inlines = [RouteInline]


@admin.register(Route)
class RouteAdmin(RoutingScopedAdmin):
    office_path = ROUTING_OFFICE_PATHS[Route]
    list_display = ["__str__", "courier", "load", "distance_m", "duration_s"]
    list_filter = ["plan__date"]


@admin.register(Stop)
class StopAdmin(RoutingScopedAdmin):
    office_path = ROUTING_OFFICE_PATHS[Stop]
    list_display = ["__str__", "sequence", "eta_start_at", "eta_end_at", "locked"]


@admin.register(PlannedDelivery)
class PlannedDeliveryAdmin(RoutingScopedAdmin):
    office_path = ROUTING_OFFICE_PATHS[PlannedDelivery]
    list_display = ["plan", "delivery", "stop", "dropped_reason"]
    list_filter = ["dropped_reason"]
