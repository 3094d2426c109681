"""Deliveries: details edited and statuses changed only through the services, and
the CSV import."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from delivery import services
from delivery.access import caller_for, caller_office, signed_in_user
from delivery.admin_scope import OfficeScopedAdmin, office_scope
from delivery.errors import DomainError
from delivery.forms import CsvImportForm, location_from_form
from delivery.models import (
    Delivery,
    DeliveryEvent,
    Role,
)
from delivery.services.details import EDITABLE as DETAIL_FIELDS

EVENT_FIELDS = (
    "at",
    "from_status",
    "to_status",
    "actor_kind",
    "actor",
    "reason_code",
    "note",
)


class DeliveryEventInline(admin.TabularInline):
    model = DeliveryEvent
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _run_step(modeladmin, request, queryset, step, reason: str) -> None:
    done, refused = 0, 0
    for delivery in queryset:
        try:
            step(
                delivery=delivery,
                actor=services.Actor.staff(signed_in_user(request.user)),
                reason=reason,
            )
            done += 1
        except DomainError:
            refused += 1
    modeladmin.message_user(
        request,
        _("%(done)d changed, %(refused)d refused by the life cycle.")
        % {"done": done, "refused": refused},
        messages.SUCCESS if not refused else messages.WARNING,
    )


class DeliveryForm(forms.ModelForm):
    """Refuses, as a form error, changes the delivery's status no longer allows."""

    class Meta:
        model = Delivery
        fields = [
            "address_line",
            "village_code",
            "lat",
            "lon",
            "window_start",
            "window_end",
            "priority",
            "notes",
        ]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.instance.pk:
            try:
                services.delivery_details_change_check(
                    delivery=self.instance, fields=self.changed_data
                )
                if _location_changed(self):
                    services.location_fix_check(delivery=self.instance)
                    services.location_fields(*location_from_form(self))
            except DomainError as exc:
                raise ValidationError(exc.message) from None
        return data


def _location_changed(form: forms.ModelForm) -> bool:
    return bool({"village_code", "lat", "lon"}.intersection(form.changed_data))


@admin.register(Delivery)
class DeliveryAdmin(OfficeScopedAdmin):
    form = DeliveryForm
    change_list_template = "admin/delivery/delivery/change_list.html"
    list_display = [
        "__str__",
        "status",
        "village_code",
        "location_quality",
        "priority",
        "failed_attempts",
        "courier",
        "scheduled_date",
    ]
    list_filter = [
        "status",
        "location_quality",
        "priority",
        ("office", admin.RelatedOnlyFieldListFilter),
        "scheduled_date",
    ]
    search_fields = ["tracking_code", "document__application_number", "address_line"]
    # Status and history move only through the life-cycle services.
    readonly_fields = [
        "tracking_code",
        "status",
        "status_changed_at",
        "failed_attempts",
        "courier",
        "scheduled_date",
        "eta_start_at",
        "eta_end_at",
        "delivered_at",
        "document",
        "office",
        "location_quality",
        "location_source",
        "handover_locked_at",
        "requested_date",
    ]
    inlines = [DeliveryEventInline]
    actions = ["hold_selected", "cancel_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # deliveries enter through intake (API or CSV import)

    def save_model(
        self, request: HttpRequest, obj: Delivery, form: Any, change: bool
    ) -> None:
        """Details and location change through their services: audited, checked."""
        user = signed_in_user(request.user)
        data = form.cleaned_data
        try:
            if _location_changed(form):
                _fix_location_in_admin(obj, form, user)
            changes = {f: data[f] for f in form.changed_data if f in DETAIL_FIELDS}
            services.delivery_update_details(
                delivery_id=obj.pk, actor=user, changes=changes
            )
        except DomainError as exc:  # the status changed since the form was shown
            self.message_user(request, exc.message, messages.ERROR)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Put on hold (reason: set in admin)"))
    def hold_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_step(self, request, queryset, services.delivery_hold, "held in admin")

    @admin.action(description=_("Cancel (reason: cancelled in admin)"))
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_step(
            self, request, queryset, services.delivery_cancel, "cancelled in admin"
        )

    def get_urls(self) -> list:
        custom = [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv),
                name="delivery_delivery_import_csv",
            )
        ]
        return custom + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "may_import_csv": _may_import(request)}
        return super().changelist_view(request, context)

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV of completed passports and show the row-by-row report."""
        if not _may_import(request):
            raise PermissionDenied
        form = _import_form(request)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = services.deliveries_import_csv(
                    office=form.cleaned_data.get("office")
                    or caller_office(request.user),
                    actor=services.Actor.staff(signed_in_user(request.user)),
                    content=form.cleaned_data["file"].read(),
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "report": report,
            "title": _("Import completed passports (CSV)"),
            "opts": self.model._meta,
        }
        status = 400 if form.errors else 200
        template = "admin/delivery/delivery/import_csv.html"
        return render(request, template, context, status=status)


def _fix_location_in_admin(obj: Delivery, form: Any, user: Any) -> None:
    village_code, lat, lon = location_from_form(form)
    services.delivery_fix_location(
        delivery=Delivery.objects.get(pk=obj.pk),
        actor=services.Actor.staff(user),
        village_code=village_code,
        lat=lat,
        lon=lon,
    )


def _import_form(request: HttpRequest) -> CsvImportForm:
    form = CsvImportForm(request.POST or None, request.FILES or None)
    if office_scope(request) is not None:
        del form.fields["office"]  # staff import into their own office only
    else:
        form.fields["office"].initial = caller_for(request.user).office
    return form


def _may_import(request: HttpRequest) -> bool:
    """Importing creates deliveries: a dispatcher with the add permission only."""
    return request.user.has_perm("delivery.add_delivery") and caller_for(
        request.user
    ).has_role(Role.DISPATCHER)
