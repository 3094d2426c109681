"""System check: the console SMS backend only where it was allowed on purpose."""

from django.conf import settings
from django.core.checks import Error, register

from notifications.backends import CONSOLE_REFUSED


@register()
def sms_console_check(app_configs, **kwargs) -> list[Error]:
    """SMS_BACKEND=console needs DEBUG or SMS_CONSOLE_ALLOWED (it logs every code)."""
    if settings.SMS_BACKEND != "console" or settings.SMS_CONSOLE_ALLOWED:
        return []
    return [
        Error(
            CONSOLE_REFUSED,
            hint="Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (SMS_BACKEND=twilio).",
            id="notifications.E001",
        )
    ]
