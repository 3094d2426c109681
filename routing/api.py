"""REST API of planning: start a plan, watch it, read it (and its GeoJSON), publish."""

from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from delivery.access import caller_office, signed_in_user
from delivery.permissions import IsDispatcher, IsDispatcherOrAuditor
from routing import services
from routing.geojson import plan_geojson
from routing.models import Route, RoutePlan
from routing.publishing import route_plan_publish_confirmed
from routing.review import RouteLateness, plan_lateness, stop_window
from routing.selectors import (
    route_plan_dropped,
    route_plan_list_for_user,
    route_plan_with_routes,
)


class StopOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    arrival_at = serializers.DateTimeField()
    service_start_at = serializers.DateTimeField()
    eta_start_at = serializers.DateTimeField()
    eta_end_at = serializers.DateTimeField()
    window_start = serializers.SerializerMethodField()
    window_end = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()
    locked = serializers.BooleanField()
    delivery_ids = serializers.SerializerMethodField()

    def get_delivery_ids(self, stop: Any) -> list[int]:
        return [item.delivery_id for item in stop.items.all()]

    def get_window_start(self, stop: Any) -> str | None:
        start = stop_window(stop)[0]
        return start.isoformat("minutes") if start else None

    def get_window_end(self, stop: Any) -> str | None:
        end = stop_window(stop)[1]
        return end.isoformat("minutes") if end else None

    def get_late(self, stop: Any) -> bool:
        return stop.pk in self.context.get("late_stop_ids", ())


class RouteBaseOutput(serializers.Serializer):
    """Where a route starts and ends: the office, a depot or the courier's pin."""

    name = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class RouteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    courier_id = serializers.IntegerField()
    courier_name = serializers.CharField(source="courier.__str__")
    courier_username = serializers.CharField(source="courier.staff.user.username")
    distance_m = serializers.IntegerField()
    duration_s = serializers.IntegerField()
    load = serializers.IntegerField()
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()
    shift_end_at = serializers.SerializerMethodField()
    late_count = serializers.SerializerMethodField()
    late_stop_ids = serializers.SerializerMethodField()
    overtime_s = serializers.SerializerMethodField()
    stops = serializers.SerializerMethodField()
    base = serializers.SerializerMethodField()

    def _lateness(self, route: Route) -> RouteLateness:
        return self.context["lateness"][route.pk]

    def get_shift_end_at(self, route: Route) -> str:
        return serializers.DateTimeField().to_representation(
            self._lateness(route).shift_end_at
        )

    def get_late_count(self, route: Route) -> int:
        return len(self._lateness(route).late_stop_ids)

    def get_late_stop_ids(self, route: Route) -> list[int]:
        return list(self._lateness(route).late_stop_ids)

    def get_overtime_s(self, route: Route) -> int:
        return self._lateness(route).overtime_s

    @extend_schema_field(RouteBaseOutput)
    def get_base(self, route: Route) -> dict[str, Any]:
        name, lat, lon = route.base()
        return {"name": name, "lat": lat, "lon": lon}

    def get_stops(self, route: Route) -> list[dict[str, Any]]:
        late = {"late_stop_ids": self._lateness(route).late_stop_ids}
        # many=True makes a ListSerializer; drf-stubs types .data as a dict (#260).
        return StopOutput(route.stops.all(), many=True, context=late).data  # type: ignore[return-value]


class DroppedOutput(serializers.Serializer):
    delivery_id = serializers.IntegerField()
    reason = serializers.CharField(source="dropped_reason")


class PlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    status = serializers.CharField()
    progress = serializers.FloatField()
    best_cost = serializers.IntegerField(allow_null=True)
    figures = serializers.JSONField()
    error = serializers.CharField()
    replan_of = serializers.IntegerField(source="replan_of_id", allow_null=True)


class PlanDetailOutput(PlanOutput):
    routes = serializers.SerializerMethodField()
    dropped = serializers.SerializerMethodField()

    def get_routes(self, plan: RoutePlan) -> list[dict[str, Any]]:
        routes: list[Route] = route_plan_with_routes(plan)
        context = {"lateness": plan_lateness(plan, routes)}
        # many=True makes a ListSerializer; drf-stubs types .data as a dict (#260).
        return RouteOutput(routes, many=True, context=context).data  # type: ignore[return-value]

    def get_dropped(self, plan: RoutePlan) -> list[dict[str, Any]]:
        # many=True makes a ListSerializer; drf-stubs types .data as a dict (#260).
        return DroppedOutput(route_plan_dropped(plan), many=True).data  # type: ignore[return-value]


class PlanStartInput(serializers.Serializer):
    date = serializers.DateField()
    courier_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50
    )
    time_limit_s = serializers.IntegerField(min_value=1, max_value=300, default=10)
    horizon_days = serializers.IntegerField(
        min_value=1,
        max_value=10,
        required=False,
        help_text="Working days to forecast, the plan's day first (1: no forecast).",
    )


class PlanStartApi(APIView):
    """Start planning a day; answers at once with the pending plan to poll."""

    permission_classes = [IsDispatcher]

    @extend_schema(request=PlanStartInput, responses={202: PlanOutput})
    def post(self, request: Request) -> Response:
        form = PlanStartInput(data=request.data)
        form.is_valid(raise_exception=True)
        plan = services.route_plan_start(
            office=caller_office(request.user),
            on_date=form.validated_data["date"],
            actor=signed_in_user(request.user),
            courier_ids=form.validated_data.get("courier_ids"),
            time_limit_s=form.validated_data["time_limit_s"],
            horizon_days=form.validated_data.get(
                "horizon_days", settings.PLAN_HORIZON_DAYS
            ),
        )
        return Response(PlanOutput(plan).data, status=status.HTTP_202_ACCEPTED)


class PlanReplanInput(serializers.Serializer):
    date = serializers.DateField()
    time_limit_s = serializers.IntegerField(min_value=1, max_value=300, default=10)


class PlanReplanApi(APIView):
    """Re-plan the rest of a published day, keeping done and started stops."""

    permission_classes = [IsDispatcher]

    @extend_schema(request=PlanReplanInput, responses={202: PlanOutput})
    def post(self, request: Request) -> Response:
        form = PlanReplanInput(data=request.data)
        form.is_valid(raise_exception=True)
        plan = services.route_plan_replan(
            office=caller_office(request.user),
            on_date=form.validated_data["date"],
            actor=signed_in_user(request.user),
            time_limit_s=form.validated_data["time_limit_s"],
        )
        return Response(PlanOutput(plan).data, status=status.HTTP_202_ACCEPTED)


class PlanDetailApi(APIView):
    """A plan: progress while it runs, then routes with ETAs and what was left out."""

    permission_classes = [IsDispatcherOrAuditor]

    @extend_schema(responses=PlanDetailOutput)
    def get(self, request: Request, plan_id: int) -> Response:
        plan = get_object_or_404(route_plan_list_for_user(request.user), pk=plan_id)
        return Response(PlanDetailOutput(plan).data)


class PlanGeoJsonApi(APIView):
    """The plan as GeoJSON: the depot, stops numbered per route, and route lines."""

    permission_classes = [IsDispatcherOrAuditor]

    @extend_schema(responses={(200, "application/geo+json"): dict})
    def get(self, request: Request, plan_id: int) -> Response:
        plan = get_object_or_404(route_plan_list_for_user(request.user), pk=plan_id)
        return Response(plan_geojson(plan), content_type="application/geo+json")


class PlanPublishInput(serializers.Serializer):
    confirm = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=500, required=False, default="")
    accept_lateness = serializers.BooleanField(default=False)


class PlanPublishApi(APIView):
    """Publish a draft once confirmed (see its preview): schedules and sends SMS."""

    permission_classes = [IsDispatcher]

    @extend_schema(request=PlanPublishInput, responses=PlanOutput)
    def post(self, request: Request, plan_id: int) -> Response:
        plan = get_object_or_404(route_plan_list_for_user(request.user), pk=plan_id)
        form = PlanPublishInput(data=request.data)
        form.is_valid(raise_exception=True)
        plan = route_plan_publish_confirmed(
            plan=plan, actor=signed_in_user(request.user), **form.validated_data
        )
        return Response(PlanOutput(plan).data)
