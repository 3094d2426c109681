"""Back office view of the outbox: read-only, since messages change only by sending."""

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import InboundSms, SmsMessage, SmsOptOut, SmsStatusReport


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services; the back office reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "template",
        "status",
        "suppressed_reason",
        "segments",
        "attempts",
        "error_code",
    ]
    list_filter = ["status", "suppressed_reason", "template", "language"]
    search_fields = ["key", "provider_sid"]
    # The text may carry a handover code: staff see that a message went, not its words.
    exclude = ["body"]


@admin.register(SmsStatusReport)
class SmsStatusReportAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider_sid", "status", "error_code"]
    list_filter = ["status"]


@admin.register(InboundSms)
class InboundSmsAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "handled_as"]
    list_filter = ["handled_as"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ["phone", "source", "created_at"]
    search_fields = ["phone"]
