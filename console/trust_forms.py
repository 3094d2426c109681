"""Forms of the staff trust pages: answering complaints and browsing the trail."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery import tracking_codes
from delivery.models import ComplaintStatus, Courier
from delivery.services.complaints import NEXT_STATUSES

FIRST_DAY = date(2000, 1, 1)


class RespondForm(forms.Form):
    """A dispatcher's step on a complaint."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s.value, s.label) for s in ComplaintStatus if s in NEXT_STATUSES],
    )
    public_note = forms.CharField(
        label=_("Answer to the applicant (shown publicly)"),
        help_text=_(
            "If the complainant left a phone number, an SMS with the ticket tells "
            "them where to read it."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal_note = forms.CharField(
        label=_("Internal note (staff only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("public_note", "").strip() or data.get("internal_note", "")):
            raise ValidationError(_("Write a note."))
        return data


class AuditFilterForm(forms.Form):
    """Which part of the trail to show: a delivery, a courier or a day."""

    tracking_code = forms.CharField(label=_("Tracking code"), required=False)
    courier = forms.ModelChoiceField(
        label=_("Courier"), queryset=Courier.objects.none(), required=False
    )
    day = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, office=None, **kwargs):
        super().__init__(*args, **kwargs)
        couriers = Courier.objects.select_related("staff__user").order_by("id")
        self.fields["courier"].queryset = (
            couriers.filter(staff__office=office) if office else couriers
        )

    def clean_tracking_code(self) -> str:
        raw = self.cleaned_data["tracking_code"].strip()
        if not raw:
            return ""
        try:
            return tracking_codes.normalize(raw)
        except tracking_codes.InvalidTrackingCode:
            raise ValidationError(_("This tracking code is not valid.")) from None

    def clean_day(self) -> date | None:
        day: date | None = self.cleaned_data["day"]
        # No record is older than the service or newer than today; and a far day
        # (9999-12-31) would overflow when the trail reads until the next midnight.
        if day is not None and not FIRST_DAY <= day <= timezone.localdate():
            raise ValidationError(_("Choose a day between 2000 and today."))
        return day

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("tracking_code", "courier", "day")):
            raise ValidationError(_("Choose a delivery, a courier or a day."))
        return data
