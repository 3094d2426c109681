from django.contrib import admin

from routing.models import PlannedDelivery, Route, RoutePlan, Stop

ROUTE_FIELDS = ("courier", "load", "distance_m", "duration_s", "start_at", "end_at")


class RouteInline(admin.TabularInline):
    model = Route
    fields = ROUTE_FIELDS
    readonly_fields = ROUTE_FIELDS
    extra = 0
    can_delete = False


@admin.register(RoutePlan)
class RoutePlanAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "date",
        "status",
        "progress",
        "created_at",
        "published_at",
    ]
    list_filter = ["status", "office", "date"]
    readonly_fields = [f.name for f in RoutePlan._meta.fields]
    inlines = [RouteInline]


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "courier", "load", "distance_m", "duration_s"]
    list_filter = ["plan__date"]


@admin.register(Stop)
class StopAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sequence", "eta_start_at", "eta_end_at", "locked"]


@admin.register(PlannedDelivery)
class PlannedDeliveryAdmin(admin.ModelAdmin):
    list_display = ["plan", "delivery", "stop", "dropped_reason"]
    list_filter = ["dropped_reason"]
