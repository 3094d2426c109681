"""REST API of a plan's forecast of the next working days (routing/horizon.py)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from delivery.permissions import IsDispatcherOrAuditor
from routing.models import PlanForecast
from routing.selectors import route_plan_list_for_user


class ForecastDayOutput(serializers.Serializer):
    date = serializers.DateField()
    working = serializers.BooleanField()
    couriers = serializers.DictField(
        child=serializers.IntegerField(), help_text="Deliveries per courier id."
    )
    total = serializers.IntegerField()


class ForecastItemOutput(serializers.Serializer):
    delivery_id = serializers.IntegerField()
    day = serializers.DateField(allow_null=True)
    courier_id = serializers.IntegerField(allow_null=True)
    risk = serializers.CharField(
        help_text="Why it will miss its deadline: deadline_passed, no_location, "
        "requested_late, too_far, time_window or capacity; empty if not at risk."
    )
    later = serializers.BooleanField(
        help_text="No day in the horizon, but the deadline lies beyond it."
    )


class ForecastSummaryOutput(serializers.Serializer):
    planned = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    later = serializers.IntegerField()
    courier_days_needed = serializers.IntegerField()


class ForecastOutput(serializers.Serializer):
    plan_id = serializers.IntegerField()
    days = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    error = serializers.CharField()
    day_budget_s = serializers.FloatField(allow_null=True)
    forecast_days = ForecastDayOutput(many=True)
    items = ForecastItemOutput(many=True)
    summary = ForecastSummaryOutput(allow_null=True)


def forecast_payload(forecast: PlanForecast) -> dict:
    result = forecast.result or {}
    return {
        "plan_id": forecast.plan_id,
        "days": forecast.days,
        "computed_at": forecast.computed_at,
        "error": forecast.error,
        "day_budget_s": result.get("day_budget_s"),
        "forecast_days": result.get("days", []),
        "items": result.get("items", []),
        "summary": result.get("summary"),
    }


class PlanForecastApi(APIView):
    """The forecast made with a plan: each queued delivery's likely working day, or
    why it will miss its collection deadline. 404 while none was made."""

    permission_classes = [IsDispatcherOrAuditor]

    @extend_schema(responses=ForecastOutput)
    def get(self, request: Request, plan_id: int) -> Response:
        plan = get_object_or_404(route_plan_list_for_user(request.user), pk=plan_id)
        forecast = PlanForecast.objects.filter(plan=plan).first()
        if forecast is None:
            raise Http404
        return Response(ForecastOutput(forecast_payload(forecast)).data)
