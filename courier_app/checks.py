"""Deployment check: handover codes cannot be issued without their pepper."""

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def handover_pepper_check(app_configs, **kwargs) -> list[Error]:
    """HANDOVER_CODE_PEPPER must be set when the server runs with DEBUG off."""
    if settings.HANDOVER_CODE_PEPPER or settings.DEBUG:
        return []
    return [
        Error(
            "HANDOVER_CODE_PEPPER is not set: no handover code can be issued.",
            hint="Set HANDOVER_CODE_PEPPER or HANDOVER_CODE_PEPPER_FILE.",
            id="courier_app.E001",
        )
    ]
