"""REST API of what the console does to a draft: move a stop, put a delivery back,
and see what publishing will do before doing it."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from delivery.permissions import IsDispatcher
from routing import plan_edits, publishing
from routing.models import PlannedDelivery, Route, RoutePlan, Stop
from routing.selectors import route_plan_list_for_user


def _plan(request: Request, plan_id: int) -> RoutePlan:
    """A plan of the caller's own office, or 404."""
    return get_object_or_404(route_plan_list_for_user(request.user), pk=plan_id)


class PreviewOutput(serializers.Serializer):
    publishable = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    scheduled = serializers.ListField(child=serializers.IntegerField())
    moved = serializers.ListField(child=serializers.IntegerField())
    unscheduled = serializers.ListField(child=serializers.IntegerField())
    couriers_changed = serializers.ListField(child=serializers.CharField())
    couriers_emptied = serializers.ListField(child=serializers.CharField())
    sms = serializers.IntegerField()
    late_stops = serializers.IntegerField()
    overtime_s = serializers.IntegerField()
    needs_reason = serializers.BooleanField()
    needs_late_ack = serializers.BooleanField()


class PlanPublishPreviewApi(APIView):
    """What publishing the draft would schedule, move, unschedule and send."""

    permission_classes = [IsDispatcher]

    @extend_schema(responses=PreviewOutput)
    def get(self, request: Request, plan_id: int) -> Response:
        preview = publishing.route_plan_publish_preview(plan=_plan(request, plan_id))
        return Response(PreviewOutput(preview).data)


class EditOutput(serializers.Serializer):
    late_stop_ids = serializers.ListField(child=serializers.IntegerField())


class PlanMoveStopInput(serializers.Serializer):
    stop_id = serializers.IntegerField(min_value=1)
    route_id = serializers.IntegerField(min_value=1, allow_null=True)
    position = serializers.IntegerField(min_value=1, max_value=500, default=1)


class PlanMoveStopApi(APIView):
    """Move a draft's stop to a route and position, or leave it out (route null)."""

    permission_classes = [IsDispatcher]

    @extend_schema(request=PlanMoveStopInput, responses=EditOutput)
    def post(self, request: Request, plan_id: int) -> Response:
        plan = _plan(request, plan_id)
        form = PlanMoveStopInput(data=request.data)
        form.is_valid(raise_exception=True)
        data: dict[str, Any] = form.validated_data
        stop = _in_plan(Stop.objects.filter(route__plan=plan), data["stop_id"])
        route = None
        if data["route_id"] is not None:
            route = _in_plan(plan.routes.all(), data["route_id"])
        late = plan_edits.route_plan_move_stop(
            plan=plan, stop=stop, to_route_or_None=route, position=data["position"]
        )
        return Response(EditOutput({"late_stop_ids": late}).data)


class PlanRestoreInput(serializers.Serializer):
    delivery_id = serializers.IntegerField(min_value=1)
    route_id = serializers.IntegerField(min_value=1)
    position = serializers.IntegerField(min_value=1, max_value=500, default=1)


class PlanRestoreApi(APIView):
    """Put a delivery the draft left out back on a route, at a position."""

    permission_classes = [IsDispatcher]

    @extend_schema(request=PlanRestoreInput, responses=EditOutput)
    def post(self, request: Request, plan_id: int) -> Response:
        plan = _plan(request, plan_id)
        form = PlanRestoreInput(data=request.data)
        form.is_valid(raise_exception=True)
        data: dict[str, Any] = form.validated_data
        left_out = PlannedDelivery.objects.filter(plan=plan, stop__isnull=True)
        item = left_out.filter(delivery_id=data["delivery_id"]).first()
        if item is None:
            raise ValidationError(
                {"delivery_id": _("This delivery is not left out of this plan.")}
            )
        route: Route = _in_plan(plan.routes.all(), data["route_id"])
        late = plan_edits.route_plan_restore_delivery(
            plan=plan, item=item, route=route, position=data["position"]
        )
        return Response(EditOutput({"late_stop_ids": late}).data)


def _in_plan(rows: Any, pk: int) -> Any:
    """A stop or route of the plan, or a 400 (an object, as the schema says)."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise ValidationError({"detail": _("No such stop or route in this plan.")})
    return found
