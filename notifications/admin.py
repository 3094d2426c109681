"""Back office view of the outbox: read-only, since messages change only by sending.

SMS rows carry phone numbers but no office (this app knows no deliveries), so they
cannot be scoped to an office: only a superuser sees them.
"""

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import InboundSms, SmsMessage, SmsOptOut, SmsStatusReport


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Records of no office: hidden from office staff, whatever their permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_root(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_root(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_root(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_root(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_root(request) and super().has_delete_permission(request, obj)


def _is_root(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services; the back office reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
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
class SmsStatusReportAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    list_display = ["received_at", "provider_sid", "status", "error_code"]
    list_filter = ["status"]


@admin.register(InboundSms)
class InboundSmsAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    list_display = ["received_at", "handled_as"]
    list_filter = ["handled_as"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(SuperuserOnlyAdmin):
    list_display = ["phone", "source", "created_at"]
    search_fields = ["phone"]
