"""The tracking page's data as JSON, for apps and scripts: public, no PII."""

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from delivery.models import Delivery
from public.access import Refusal, public_data_for_code
from public.summary import tracking_summary


class TrackingOfficeOutput(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    opening_hours = serializers.CharField()


class TrackingEntryOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    # DRF takes declared fields off the class: no clash with Field.label.
    label = serializers.CharField()  # type: ignore[assignment]


@method_decorator(never_cache, name="dispatch")
class TrackingApi(APIView):
    """GET a delivery's public status by its tracking code (rate-limited per client)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    class TrackingOutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        status = serializers.CharField()
        status_label = serializers.CharField()
        headline = serializers.CharField()
        eta_start_at = serializers.DateTimeField(allow_null=True)
        eta_end_at = serializers.DateTimeField(allow_null=True)
        requested_date = serializers.DateField(allow_null=True)
        window_start = serializers.TimeField(allow_null=True)
        window_end = serializers.TimeField(allow_null=True)
        collection_deadline = serializers.DateField()
        office = TrackingOfficeOutput()
        timeline = TrackingEntryOutput(many=True)

    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        """GET without DRF's request wrapping, negotiation and rendering: the hot path
        of every look-up (its JSON is rendered once per delivery version and cached).
        Other methods (OPTIONS, and the 405 of the rest) go through DRF."""
        if request.method != "GET":
            return super().dispatch(request, *args, **kwargs)
        self.headers = self.default_response_headers
        return self.get(request, *args, **kwargs)

    @extend_schema(
        operation_id="track",
        responses={
            200: TrackingOutputSerializer,
            400: OpenApiResponse(description="Mistyped code (check character)"),
            404: OpenApiResponse(description="No delivery with this code"),
            429: OpenApiResponse(description="Too many look-ups from this client"),
        },
    )
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        found = public_data_for_code(request, code, _tracking_json)
        if isinstance(found, Refusal):
            body = _RENDERER.render({"detail": found.message})
            return self._json(body, status=found.status)
        return self._json(found)

    def _json(self, body: bytes, status: int = 200) -> HttpResponse:
        response = HttpResponse(body, status=status, content_type="application/json")
        for name, value in self.headers.items():
            response[name] = value
        return response


_RENDERER = JSONRenderer()


def _tracking_json(delivery: Delivery) -> bytes:
    """The API's answer as DRF renders it (cached as bytes, rendered once)."""
    summary = tracking_summary(delivery)
    return _RENDERER.render(TrackingApi.TrackingOutputSerializer(summary).data)
