from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _audit_login(sender, request, user, **kwargs):
    from delivery.services.audit import audit_login

    audit_login(user=user)


def _audit_lockout(sender: object, **kwargs: Any) -> None:
    from delivery.login_guard import audit_lockout

    audit_lockout(sender, **kwargs)


def _inbound_sms(sender, phone, body, **kwargs):
    from delivery.services.complaints import sms_reply_handle

    return sms_reply_handle(phone=phone, body=body)


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Deliveries")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from delivery import checks  # noqa: F401  (registers the deploy check)
        from notifications.signals import inbound_sms_received

        user_logged_in.connect(_audit_login, dispatch_uid="delivery-audit-login")
        user_locked_out.connect(_audit_lockout, dispatch_uid="delivery-audit-lockout")
        inbound_sms_received.connect(_inbound_sms, dispatch_uid="delivery-inbound-sms")
