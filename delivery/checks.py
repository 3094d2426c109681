"""Deployment check: personal data cannot be stored without its encryption key."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from delivery.crypto import encrypt


@register(deploy=True)
def data_encryption_key_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """DATA_ENCRYPTION_KEY must be a valid Fernet key when DEBUG is off."""
    if settings.DEBUG:
        return []
    try:
        encrypt(b"check")
    except ImproperlyConfigured as exc:
        return [
            Error(
                f"{exc}: no passport number or photo can be stored or read.",
                hint="Set DATA_ENCRYPTION_KEY or DATA_ENCRYPTION_KEY_FILE "
                "(see .env.example to make one).",
                id="delivery.E001",
            )
        ]
    return []
