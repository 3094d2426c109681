"""System checks: the console SMS backend only where it was allowed on purpose; a
claim outlives the slowest send."""

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


@register()
def sms_lease_check(app_configs, **kwargs) -> list[Error]:
    """A send task starts a send only in the first half of SMS_STUCK_AFTER_S after its
    claim (notifications.services), and a send may take TWILIO_TIMEOUT_S to connect
    and as long again to answer: it must end before the sweep takes the claim as
    stale and reconciles it, or the message could go out twice."""
    if settings.SMS_STUCK_AFTER_S >= 4 * settings.TWILIO_TIMEOUT_S:
        return []
    return [
        Error(
            "SMS_STUCK_AFTER_S must be at least 4 x TWILIO_TIMEOUT_S, or a slow send "
            "could still be running when the sweep takes its claim as stale.",
            hint="Raise SMS_STUCK_AFTER_S or lower TWILIO_TIMEOUT_S.",
            id="notifications.E002",
        )
    ]
