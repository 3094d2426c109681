"""Validation of one completed passport entering the queue.

Shared by the intake API (single and batch) and the CSV import, so that a row is judged
the same way whichever door it comes through.
"""

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from delivery.gazetteer import SERVICE_AREA, load_gazetteer
from delivery.models import Language, Priority
from delivery.phones import phone_normalize

_PASSPORT_RE = re.compile(r"^[A-Z]{1,2}[0-9]{6,8}$")
_APPLICATION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/.\-]{2,39}$")
# Spreadsheets in Indonesia export dates as dd/mm/yyyy; the API sends ISO dates.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# The columns' names in the page's language, for row reasons and the format table.
FIELD_LABELS = {
    "application_number": _("Application number"),
    "passport_number": _("Passport number"),
    "full_name": _("Full name"),
    "phone": _("Phone"),
    "address": _("Address"),
    "village_code": _("Village code"),
    "village": _("Village"),
    "issued_on": _("Issue date"),
    "language": _("Language"),
    "window_start": _("Window start"),
    "window_end": _("Window end"),
    "priority": _("Priority"),
    "notes": _("Notes"),
    "lat": _("Latitude"),
    "lon": _("Longitude"),
}


class IntakeInput(serializers.Serializer):
    """One passport to deliver, as the office's back office sends it."""

    application_number = serializers.CharField(max_length=40)
    passport_number = serializers.CharField(max_length=20)
    full_name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=30)
    address = serializers.CharField(max_length=300)
    village_code = serializers.CharField(
        max_length=13, required=False, allow_blank=True
    )
    village = serializers.CharField(max_length=100, required=False, allow_blank=True)
    issued_on = serializers.DateField(input_formats=DATE_FORMATS)
    language = serializers.ChoiceField(choices=Language.choices, default="id")
    window_start = serializers.TimeField(required=False, allow_null=True)
    window_end = serializers.TimeField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, default=0)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)

    def validate_application_number(self, value: str) -> str:
        if not _APPLICATION_RE.match(value.strip()):
            raise serializers.ValidationError(_("Not a valid application number."))
        return value.strip()

    def validate_passport_number(self, value: str) -> str:
        number = value.replace(" ", "").upper()
        if not _PASSPORT_RE.match(number):
            raise serializers.ValidationError(_("Not a valid passport number."))
        return number

    def validate_phone(self, value: str) -> str:
        try:
            return phone_normalize(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_issued_on(self, value: Any) -> Any:
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(_("The issue date is in the future."))
        if value + timedelta(days=settings.COLLECTION_DEADLINE_DAYS) < today:
            raise serializers.ValidationError(
                _("The 30-day collection deadline has already passed.")
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["village_code"] = _resolve_village(attrs)
        _check_window(attrs)
        _check_pin(attrs)
        return attrs


def _resolve_village(attrs: dict[str, Any]) -> str:
    gazetteer = load_gazetteer()
    code = (attrs.get("village_code") or "").strip()
    if code:
        place = gazetteer.get(code)
        if place is None or not place.is_village:
            raise serializers.ValidationError(
                {"village_code": _("Unknown village code: %(code)s.") % {"code": code}}
            )
        return code
    name = (attrs.get("village") or "").strip().lower()
    if not name:
        raise serializers.ValidationError(
            {"village_code": _("Give the village code or the village name.")}
        )
    matches = [p for p in gazetteer.villages() if p.name.lower() == name]
    if len(matches) == 1:
        return matches[0].code
    message = (
        _("Several villages have this name; give the village code.")
        if matches
        else _("Unknown village: %(name)s.") % {"name": attrs["village"]}
    )
    raise serializers.ValidationError({"village": message})


def _check_window(attrs: dict[str, Any]) -> None:
    start, end = attrs.get("window_start"), attrs.get("window_end")
    if (start is None) != (end is None):
        raise serializers.ValidationError(
            {"window_end": _("Give both ends of the time window, or neither.")}
        )
    if start is not None and start >= end:
        raise serializers.ValidationError(
            {"window_end": _("The time window must end after it starts.")}
        )


def _check_pin(attrs: dict[str, Any]) -> None:
    lat, lon = attrs.get("lat"), attrs.get("lon")
    if lat is None and lon is None:
        return
    if lat is None or lon is None:
        raise serializers.ValidationError(
            {"lon": _("Give both latitude and longitude.")}
        )
    if not SERVICE_AREA.contains(lat, lon):
        raise serializers.ValidationError(
            {"lat": _("The point lies outside the office's service area.")}
        )
