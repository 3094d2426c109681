"""REST API of the delivery domain: intake, the queue, and the dispatcher's steps."""

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from delivery import services
from delivery.access import caller_for, caller_office, signed_in_user
from delivery.api_parsers import SafeJSONParser
from delivery.intake_input import IntakeInput
from delivery.login_guard import lockout_response
from delivery.models import Delivery, Role, Status
from delivery.permissions import IsDispatcher, IsOfficeStaff
from delivery.selectors import delivery_events, delivery_list_for_user

MAX_BATCH = 500


class EventOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_kind = serializers.CharField()
    reason_code = serializers.CharField()
    note = serializers.CharField()


class DeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    # Not given to couriers (CourierDeliveryOutput): the schema says it may be absent.
    tracking_code = serializers.CharField(
        source="tracking_code_display", required=False
    )
    status = serializers.CharField()
    application_number = serializers.CharField(source="document.application_number")
    # Outside the back office a passport number is only ever shown masked.
    passport_number = serializers.CharField(source="document.masked_passport_number")
    applicant_name = serializers.CharField(source="document.applicant.full_name")
    address = serializers.CharField(source="address_line")
    village_code = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    location_quality = serializers.CharField()
    window_start = serializers.TimeField(allow_null=True)
    window_end = serializers.TimeField(allow_null=True)
    priority = serializers.IntegerField()
    collection_deadline = serializers.DateField(source="document.collection_deadline")
    failed_attempts = serializers.IntegerField()
    courier_id = serializers.IntegerField(allow_null=True)
    scheduled_date = serializers.DateField(allow_null=True)
    eta_start_at = serializers.DateTimeField(allow_null=True)
    eta_end_at = serializers.DateTimeField(allow_null=True)


class DeliveryDetailOutput(DeliveryOutput):
    events = serializers.SerializerMethodField()

    def get_events(self, delivery: Delivery) -> list[dict[str, Any]]:
        # many=True makes a ListSerializer; drf-stubs types .data as a dict (#260).
        return EventOutput(delivery_events(delivery), many=True).data  # type: ignore[return-value]


class CourierDeliveryOutput(DeliveryOutput):
    """A courier's view: no tracking code, which opens the applicant's own pages
    (tracking, requests, complaints)."""

    tracking_code = None  # type: ignore[assignment]  # DRF drops a field set to None


class CourierDeliveryDetailOutput(DeliveryDetailOutput):
    """A courier's view of one delivery, without its tracking code."""

    tracking_code = None  # type: ignore[assignment]  # DRF drops a field set to None


def _is_courier(user: Any) -> bool:
    return caller_for(user).role == Role.COURIER


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    village_code = django_filters.CharFilter()
    courier = django_filters.NumberFilter(field_name="courier_id")
    application_number = django_filters.CharFilter(
        field_name="document__application_number"
    )

    class Meta:
        model = Delivery
        fields = ["status", "village_code", "courier", "application_number"]


class DeliveryListApi(ListAPIView):
    """The deliveries the caller may see (a courier: only their own)."""

    permission_classes = [IsOfficeStaff]
    serializer_class = DeliveryOutput
    filterset_class = DeliveryFilter

    def get_queryset(self) -> Any:
        return delivery_list_for_user(self.request.user)

    def get_serializer_class(self) -> Any:
        """Couriers get the output without tracking codes."""
        return (
            CourierDeliveryOutput if _is_courier(self.request.user) else DeliveryOutput
        )


class DeliveryDetailApi(APIView):
    """One delivery with its history; 404 for a delivery the caller may not see."""

    permission_classes = [IsOfficeStaff]

    @extend_schema(responses=DeliveryDetailOutput)
    def get(self, request: Request, delivery_id: int) -> Response:
        delivery = get_object_or_404(
            delivery_list_for_user(request.user), pk=delivery_id
        )
        output = (
            CourierDeliveryDetailOutput
            if _is_courier(request.user)
            else DeliveryDetailOutput
        )
        return Response(output(delivery).data)


class DeliveryIntakeApi(APIView):
    """Take one completed passport into the queue (idempotent on application number)."""

    permission_classes = [IsDispatcher]

    @extend_schema(
        request=IntakeInput, responses={201: DeliveryOutput, 200: DeliveryOutput}
    )
    def post(self, request: Request) -> Response:
        form = IntakeInput(data=request.data)
        form.is_valid(raise_exception=True)
        delivery, created = services.delivery_intake(
            office=caller_office(request.user),
            actor=services.Actor.staff(signed_in_user(request.user)),
            data=form.validated_data,
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DeliveryOutput(delivery).data, status=code)


class RowErrorOutput(serializers.Serializer):
    row = serializers.IntegerField()
    application_number = serializers.CharField()
    # DRF takes declared fields off the class: no clash with Serializer.errors.
    errors = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]


class ImportReportOutput(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField())
    existing = serializers.ListField(child=serializers.CharField())
    # DRF takes declared fields off the class: no clash with Serializer.errors.
    errors = RowErrorOutput(many=True)  # type: ignore[assignment]


class DeliveryIntakeBatchApi(APIView):
    """Take in many passports; good items are taken, each bad one reported by index."""

    permission_classes = [IsDispatcher]
    # A JSON list only: a form or multipart body cannot carry one.
    parser_classes = [SafeJSONParser]  # JSON only, and nesting bounded

    @extend_schema(request=IntakeInput(many=True), responses=ImportReportOutput)
    def post(self, request: Request) -> Response:
        items = request.data
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a JSON list of deliveries.")]}
            )
        if not 1 <= len(items) <= MAX_BATCH:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send between 1 and 500 deliveries.")]}
            )
        report = services.deliveries_intake_batch(
            office=caller_office(request.user),
            actor=services.Actor.staff(signed_in_user(request.user)),
            items=items,
            first_row=0,
        )
        return Response(ImportReportOutput(report).data)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class _DispatcherStepApi(APIView):
    """A dispatcher's step on one delivery of their office."""

    permission_classes = [IsDispatcher]
    input_class: type[serializers.Serializer] = ReasonInput

    def step(self, delivery: Delivery, actor: services.Actor, data: dict) -> Delivery:
        raise NotImplementedError

    def post(self, request: Request, delivery_id: int) -> Response:
        delivery = get_object_or_404(
            delivery_list_for_user(request.user), pk=delivery_id
        )
        form = self.input_class(data=request.data)
        form.is_valid(raise_exception=True)
        delivery = self.step(
            delivery,
            services.Actor.staff(signed_in_user(request.user)),
            form.validated_data,
        )
        return Response(DeliveryOutput(delivery).data)


@extend_schema(request=ReasonInput, responses=DeliveryOutput)
class DeliveryHoldApi(_DispatcherStepApi):
    """Put a delivery on hold, with a reason."""

    def step(self, delivery: Delivery, actor: services.Actor, data: dict) -> Delivery:
        return services.delivery_hold(
            delivery=delivery, actor=actor, reason=data["reason"]
        )


@extend_schema(request=NoteInput, responses=DeliveryOutput)
class DeliveryReleaseApi(_DispatcherStepApi):
    """Release a delivery on hold back to the queue."""

    input_class = NoteInput

    def step(self, delivery: Delivery, actor: services.Actor, data: dict) -> Delivery:
        note = data.get("note", "")
        return services.delivery_release(delivery=delivery, actor=actor, note=note)


@extend_schema(request=NoteInput, responses=DeliveryOutput)
class DeliveryCollectedApi(_DispatcherStepApi):
    """Record that the applicant collected the passport at the office counter."""

    input_class = NoteInput

    def step(self, delivery: Delivery, actor: services.Actor, data: dict) -> Delivery:
        note = data.get("note", "")
        return services.delivery_mark_collected(
            delivery=delivery, actor=actor, note=note
        )


@extend_schema(request=ReasonInput, responses=DeliveryOutput)
class DeliveryCancelApi(_DispatcherStepApi):
    """Cancel a delivery that has not left the office, with a reason."""

    def step(self, delivery: Delivery, actor: services.Actor, data: dict) -> Delivery:
        return services.delivery_cancel(
            delivery=delivery, actor=actor, reason=data["reason"]
        )


@extend_schema(request=ReasonInput, responses=DeliveryOutput)
class DeliveryHandoverReissueApi(_DispatcherStepApi):
    """Send a new handover code to the registered phone, with a reason (never shown)."""

    def step(self, delivery: Delivery, actor: services.Actor, data: dict) -> Delivery:
        services.handover_code_reissue(
            delivery=delivery, actor=actor, reason=data["reason"]
        )
        delivery.refresh_from_db()
        return delivery


@extend_schema(request=ReasonInput, responses=DeliveryOutput)
class DeliveryHandoverFailApi(_DispatcherStepApi):
    """Fail a delivery whose handover is stuck (e.g. locked), with a reason."""

    def step(self, delivery: Delivery, actor: services.Actor, data: dict) -> Delivery:
        return services.delivery_record_failed_attempt(
            delivery=delivery,
            actor=actor,
            reason_code=services.FailureReason.OTHER,
            note=data["reason"],
        )


class TokenObtainApi(ObtainAuthToken):
    """DRF's token sign-in; a locked-out account or address gets HTTP 429."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # axes flags the request when its backend refused the credentials.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise
