"""The back office: every model, with statuses changed only through the services."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from delivery import services
from delivery.access import staff_for_user
from delivery.errors import DomainError
from delivery.forms import CsvImportForm
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
    Document,
    EventPhoto,
    HandoverAttempt,
    HandoverCode,
    ImportJob,
    Office,
    ProofOfDelivery,
    Staff,
    SurveyResponse,
)
from notifications.admin import ReadOnlyAdmin


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone"]
    search_fields = ["code", "name"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "role"]
    list_filter = ["office", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(Courier)
class CourierAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "vehicle_kind",
        "capacity",
        "shift_start",
        "shift_end",
        "is_active",
    ]
    list_filter = ["vehicle_kind", "is_active", "staff__office"]


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["full_name", "phone", "language"]
    search_fields = ["full_name", "phone"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["application_number", "passport_number", "applicant", "issued_on"]
    search_fields = ["application_number", "passport_number", "applicant__full_name"]
    raw_id_fields = ["applicant"]


class DeliveryEventInline(admin.TabularInline):
    model = DeliveryEvent
    fields = [
        "at",
        "from_status",
        "to_status",
        "actor_kind",
        "actor",
        "reason_code",
        "note",
    ]
    readonly_fields = fields
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
                actor=services.Actor.staff(request.user),
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


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
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
    list_filter = ["status", "location_quality", "priority", "office", "scheduled_date"]
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
    ]
    inlines = [DeliveryEventInline]
    actions = ["hold_selected", "cancel_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # deliveries enter through intake (API or CSV import)

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

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV of completed passports and show the row-by-row report."""
        if not self.has_view_permission(request):
            return redirect("admin:index")
        form = CsvImportForm(request.POST or None, request.FILES or None)
        report = None
        staff = staff_for_user(request.user)
        if staff is not None:
            form.fields["office"].initial = staff.office
        if request.method == "POST" and form.is_valid():
            try:
                report = services.deliveries_import_csv(
                    office=form.cleaned_data["office"],
                    actor=services.Actor.staff(request.user),
                    content=form.cleaned_data["file"].read(),
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "report": report,
        }
        context["title"] = _("Import completed passports (CSV)")
        context["opts"] = self.model._meta
        return render(request, "admin/delivery/delivery/import_csv.html", context)


@admin.register(DeliveryEvent)
class DeliveryEventAdmin(ReadOnlyAdmin):
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
class HandoverCodeAdmin(ReadOnlyAdmin):
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
class HandoverAttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "courier", "delivery", "success"]
    list_filter = ["success"]


@admin.register(ProofOfDelivery)
class ProofOfDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "recipient_kind", "created_at"]


@admin.register(EventPhoto)
class EventPhotoAdmin(ReadOnlyAdmin):
    list_display = ["event", "created_at"]


@admin.register(CourierAction)
class CourierActionAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "courier", "action", "outcome"]
    list_filter = ["action", "outcome"]


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor_kind", "action", "subject"]
    list_filter = ["action", "actor_kind"]
    search_fields = ["subject"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "record_id_at"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "office", "status", "processed_rows", "total_rows"]
    list_filter = ["status"]
    exclude = ["content"]  # applicants' details: read them in the file, not here


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "district_code", "source"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["ticket", "category", "status", "created_at", "due_at"]
    list_filter = ["status", "category"]
    readonly_fields = ["ticket", "delivery", "created_at", "due_at", "status"]


@admin.register(ComplaintUpdate)
class ComplaintUpdateAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "at", "status_after"]
