"""The back office: every model, with statuses changed only through the services.

Every page is limited to the caller's office (delivery.admin_scope); a superuser sees
all offices.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from delivery import services
from delivery.access import caller_for, caller_office, signed_in_user
from delivery.admin_scope import OfficeScopedAdmin, office_rows, office_scope
from delivery.crypto import passport_index
from delivery.errors import DomainError
from delivery.forms import CsvImportForm, location_from_form
from delivery.models import (
    Applicant,
    AuditCheckpoint,
    AuditRecord,
    Complaint,
    ComplaintUpdate,
    Courier,
    CourierAction,
    Delivery,
    DeliveryEvent,
    Depot,
    Document,
    EventPhoto,
    HandoverAttempt,
    HandoverCode,
    Heartbeat,
    ImportJob,
    Office,
    ProofOfDelivery,
    Role,
    Staff,
    SurveyResponse,
)
from delivery.phones import phone_normalize
from delivery.selectors import audit_records_of_office
from delivery.services.details import EDITABLE as DETAIL_FIELDS
from notifications.admin import ReadOnlyAdmin, SuperuserOnlyAdmin


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


class ApplicantForm(forms.ModelForm):
    """The phone is checked here; the change itself goes through the service."""

    class Meta:
        model = Applicant
        fields = ["full_name", "phone", "language"]

    def clean_phone(self) -> str:
        phone = phone_normalize(self.cleaned_data["phone"])
        if self.instance.pk and phone != self.instance.phone:
            try:
                services.applicant_contact_change_check(applicant=self.instance)
            except DomainError as exc:
                raise ValidationError(exc.message) from None
        return phone


@admin.register(Applicant)
class ApplicantAdmin(OfficeScopedAdmin):
    form = ApplicantForm
    list_display = ["full_name", "phone", "language"]
    search_fields = ["full_name", "phone"]

    def scope(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        return office_rows(queryset, office_id)

    def save_model(
        self, request: HttpRequest, obj: Applicant, form: Any, change: bool
    ) -> None:
        if not (change and "phone" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        # Everything but the number is saved plainly; the number only by the service.
        new_phone, obj.phone = obj.phone, form.initial["phone"]
        super().save_model(request, obj, form, change)
        try:
            changed = services.applicant_change_contact(
                applicant=obj,
                actor=signed_in_user(request.user),
                phone=new_phone,
            )
        except DomainError as exc:  # a delivery was scheduled meanwhile
            self.message_user(request, exc.message, messages.ERROR)
        else:
            obj.phone = changed.phone


@admin.register(Document)
class DocumentAdmin(OfficeScopedAdmin):
    list_display = ["application_number", "passport_number", "applicant", "issued_on"]
    search_fields = ["application_number", "applicant__full_name"]
    raw_id_fields = ["applicant"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Document], search_term: str
    ) -> tuple[QuerySet[Document], bool]:
        """Also an exact passport number, through its keyed index (it is encrypted)."""
        found, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if search_term.strip():
            index = passport_index(search_term.strip())
            found |= queryset.filter(passport_number_index=index)
        return found, may_have_duplicates


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


@admin.register(DeliveryEvent)
class DeliveryEventAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    office_path = "delivery__office_id"
    list_display = [
        "at",
        "delivery",
        "from_status",
        "to_status",
        "actor_kind",
        "reason_code",
    ]
    list_filter = ["to_status", "actor_kind"]
    date_hierarchy = "at"


@admin.register(HandoverCode)
class HandoverCodeAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    office_path = "delivery__office_id"
    list_display = [
        "delivery",
        "courier",
        "created_at",
        "expires_at",
        "failed_attempts",
    ]
    # Nobody reads a code; not even its hash is shown.
    exclude = ["code_hash"]


@admin.register(HandoverAttempt)
class HandoverAttemptAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    office_path = "delivery__office_id"
    list_display = ["at", "courier", "delivery", "success"]
    list_filter = ["success"]


@admin.register(ProofOfDelivery)
class ProofOfDeliveryAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    office_path = "delivery__office_id"
    list_display = ["delivery", "recipient_kind", "created_at"]
    # The stored file is encrypted: the photo is shown only by the checked photo page.
    exclude = ["photo"]
    readonly_fields = ["photo_page"]

    @admin.display(description=_("Photo of KTP / KK / letter of authority"))
    def photo_page(self, obj: ProofOfDelivery) -> str:
        if not obj.photo:
            return str(_("Deleted after the retention period."))
        url = reverse("courier:proof_photo", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the photo"))


@admin.register(EventPhoto)
class EventPhotoAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    office_path = "event__delivery__office_id"
    list_display = ["event", "created_at"]
    exclude = ["photo"]  # encrypted at rest; never a media URL


@admin.register(CourierAction)
class CourierActionAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    office_path = "courier__staff__office_id"
    list_display = ["received_at", "courier", "action", "outcome"]
    list_filter = ["action", "outcome"]


@admin.register(AuditRecord)
class AuditRecordAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    list_display = ["id", "at", "actor_kind", "action", "subject"]
    list_filter = ["action", "actor_kind"]
    search_fields = ["subject"]

    def scope(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        office_records = audit_records_of_office(office_id=office_id)
        return queryset.filter(pk__in=office_records.values("pk"))


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    # The head of the whole chain, of every office.
    list_display = ["created_at", "record_id_at"]


@admin.register(Heartbeat)
class HeartbeatAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    # Beat's heartbeat for /healthz: of the installation, not of an office.
    list_display = ["name", "at"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "office", "status", "processed_rows", "total_rows"]
    list_filter = ["status"]
    exclude = ["content"]  # applicants' details: read them in the file, not here


@admin.register(SurveyResponse)
class SurveyResponseAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    office_path = "delivery__office_id"
    list_display = ["created_at", "district_code", "source"]


@admin.register(Complaint)
class ComplaintAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    """A citizen's complaint is never edited; staff answer it in the console."""

    list_display = ["ticket", "category", "status", "created_at", "due_at"]
    list_filter = ["status", "category"]

    def scope(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        # General complaints (no delivery) concern every office, as in the console.
        return queryset.filter(Q(delivery__office_id=office_id) | Q(delivery=None))


@admin.register(ComplaintUpdate)
class ComplaintUpdateAdmin(OfficeScopedAdmin, ReadOnlyAdmin):
    def scope(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        return queryset.filter(
            Q(complaint__delivery__office_id=office_id) | Q(complaint__delivery=None)
        )

    list_display = ["complaint", "at", "status_after"]
