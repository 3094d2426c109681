"""Forms of the courier app: one action form, shared by online and offline sends."""

from __future__ import annotations

from django import forms
from django.core.files.base import ContentFile
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from delivery.models import RecipientKind
from delivery.services.courier_steps import FailureReason
from delivery.services.photos import PhotoRejected, photo_reencode

ACTIONS = ("start_route", "heading", "arrived", "resend", "handover", "failed", "undo")
FAILURE_CHOICES = [
    (FailureReason.NOT_AT_HOME, _("Nobody at home")),
    (FailureReason.ADDRESS_NOT_FOUND, _("Address not found")),
    (FailureReason.REFUSED, _("Refused")),
    (FailureReason.ANOTHER_DAY, _("Applicant asks for another day")),
    (FailureReason.UNSAFE, _("Unsafe to reach")),
    (FailureReason.OTHER, _("Other (describe)")),
]
PHOTO_REQUIRED = {FailureReason.NOT_AT_HOME, FailureReason.ADDRESS_NOT_FOUND}


class ActionForm(forms.Form):
    """One courier action, with the phone's time and position when it was taken."""

    # Made on the phone, so that a replayed send is recognised; absent without JS.
    client_id = forms.UUIDField(required=False)
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    delivery = forms.IntegerField(required=False, min_value=1)
    device_at = forms.DateTimeField(required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)
    code = forms.CharField(
        label=_("Code from the applicant's SMS"),
        required=False,
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("The code has 6 digits."))],
    )
    recipient_kind = forms.ChoiceField(
        label=_("Recipient"), required=False, choices=[("", ""), *RecipientKind.choices]
    )
    recipient_name = forms.CharField(
        label=_("Recipient's name"), required=False, max_length=200
    )
    reason_code = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", ""), *FAILURE_CHOICES]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    photo = forms.FileField(label=_("Photo"), required=False)

    def clean_photo(self) -> ContentFile[bytes] | None:
        """The photo decoded and re-encoded by the domain; refused with its reason."""
        photo = (self.cleaned_data or {}).get("photo")
        if not photo:
            return None
        try:
            # The service encodes it again: a small plain JPEG by then, cheap to redo.
            return ContentFile(photo_reencode(photo), name="photo.jpg")
        except PhotoRejected as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action and action != "start_route" and not data.get("delivery"):
            raise forms.ValidationError(_("Choose a stop."))
        if action == "handover":
            self._require(data, "code", "recipient_kind", "recipient_name", "photo")
        if action == "failed":
            self._require(data, "reason_code")
            if data.get("reason_code") in PHOTO_REQUIRED:
                self._require(data, "photo")
            if data.get("reason_code") == FailureReason.OTHER:
                self._require(data, "note")
        return data

    def errors_text(self) -> str:
        """Every error with the field it is about: "Recipient's name: required"."""
        parts = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            prefix = f"{field.label}: " if field is not None and field.label else ""
            parts += [f"{prefix}{error}" for error in errors]
        return " ".join(parts)

    def _require(self, data, *names: str) -> None:
        for name in names:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required."))
