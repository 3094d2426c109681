"""Model fields for personal data at rest (see delivery.crypto)."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models

from delivery.crypto import decrypt, encrypt, passport_index


class EncryptedCharField(models.TextField):
    """Short text stored encrypted; the model attribute holds the plain text.

    Only `isnull` can be looked up: the ciphertext differs on every write, so an
    equality filter would silently match nothing. Search through a keyed index.
    """

    def __init__(self, *args: Any, plain_max_length: int = 100, **kwargs: Any):
        self.plain_max_length = plain_max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value.encode()).decode()

    def from_db_value(
        self, value: str | None, expression: Any, connection: Any
    ) -> str | None:
        return decrypt(value.encode()).decode() if value else value

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def formfield(self, **kwargs: Any) -> Any:
        defaults = {"form_class": forms.CharField, "max_length": self.plain_max_length}
        return models.Field.formfield(self, **{**defaults, **kwargs})


class PassportIndexField(models.CharField):
    """The keyed index of the passport number field, recomputed on every save."""

    def __init__(self, *args: Any, source: str = "passport_number", **kwargs: Any):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        # Computed like auto_now, so that no writer can forget it (a queryset
        # update() of the number must set the index itself).
        value = passport_index(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
