"""Read-only records: events, handovers, proofs, the audit chain, imports, surveys
and complaints."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from delivery.admin_scope import OfficeScopedAdmin
from delivery.models import (
    AuditCheckpoint,
    AuditRecord,
    Complaint,
    ComplaintUpdate,
    CourierAction,
    DeliveryEvent,
    EventPhoto,
    HandoverAttempt,
    HandoverCode,
    Heartbeat,
    ImportJob,
    ProofOfDelivery,
    SurveyResponse,
)
from delivery.selectors import audit_records_of_office
from notifications.admin import ReadOnlyAdmin, SuperuserOnlyAdmin


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
