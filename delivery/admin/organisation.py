"""Offices, their staff and depots, and couriers with their bases."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from delivery import services
from delivery.access import signed_in_user
from delivery.admin_scope import OfficeScopedAdmin
from delivery.errors import DomainError
from delivery.models import (
    Courier,
    Depot,
    Office,
    Staff,
)


@admin.register(Office)
class OfficeAdmin(OfficeScopedAdmin):
    office_path = "pk"
    list_display = ["code", "name", "phone"]
    search_fields = ["code", "name"]


@admin.register(Staff)
class StaffAdmin(OfficeScopedAdmin):
    list_display = ["user", "office", "role"]
    list_filter = [("office", admin.RelatedOnlyFieldListFilter), "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(Depot)
class DepotAdmin(OfficeScopedAdmin):
    list_display = ["name", "office", "is_active"]
    list_filter = [("office", admin.RelatedOnlyFieldListFilter), "is_active"]


BASE_FIELDS = ("depot", "base_village_code", "base_lat", "base_lon", "base_label")


class CourierForm(forms.ModelForm):
    """The base is checked here and changed only by the audited service."""

    class Meta:
        model = Courier
        fields = [
            "staff",
            "vehicle_kind",
            "capacity",
            "shift_start",
            "shift_end",
            "is_active",
            "paused_until",
            *BASE_FIELDS,
        ]
        help_texts = {
            "depot": _("Routes start and end at this depot; leave empty otherwise."),
            "base_village_code": _(
                "Or a village code from the gazetteer where the courier starts."
            ),
            "base_lat": _("Or a pin: latitude and longitude (both)."),
        }

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if self.instance.pk and any(f in self.changed_data for f in BASE_FIELDS):
            try:
                services.courier_base_check(
                    courier=self.instance,
                    depot=data.get("depot"),
                    village_code=data.get("base_village_code") or "",
                    lat=None if data.get("base_village_code") else data.get("base_lat"),
                    lon=None if data.get("base_village_code") else data.get("base_lon"),
                )
            except DomainError as exc:
                raise ValidationError(exc.message) from None
        return data


@admin.register(Courier)
class CourierAdmin(OfficeScopedAdmin):
    form = CourierForm
    office_path = "staff__office_id"
    list_display = [
        "__str__",
        "vehicle_kind",
        "capacity",
        "shift_start",
        "shift_end",
        "base_label",
        "is_active",
    ]
    list_filter = [
        "vehicle_kind",
        "is_active",
        ("staff__office", admin.RelatedOnlyFieldListFilter),
    ]

    def scope_related(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        if queryset.model is Depot:
            return queryset.filter(office_id=office_id, is_active=True)
        return super().scope_related(queryset, office_id)

    def save_model(
        self, request: HttpRequest, obj: Courier, form: Any, change: bool
    ) -> None:
        changed = [f for f in BASE_FIELDS if f in form.changed_data]
        if not (change and changed):
            super().save_model(request, obj, form, change)
            return
        # Everything but the base is saved plainly; the base only by the service.
        new = {f: getattr(obj, f) for f in BASE_FIELDS}
        for name in BASE_FIELDS[1:]:
            setattr(obj, name, form.initial.get(name))
        obj.depot_id = form.initial.get("depot")  # BASE_FIELDS[0]
        super().save_model(request, obj, form, change)
        village = new["base_village_code"] or ""
        services.courier_set_base(
            courier=obj,
            actor=signed_in_user(request.user),
            depot=new["depot"],
            village_code=village,
            lat=None if village else new["base_lat"],
            lon=None if village else new["base_lon"],
            label=new["base_label"] or "",
        )
        obj.refresh_from_db()
