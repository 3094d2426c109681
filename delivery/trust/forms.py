"""Forms of the public trust pages and of their staff side."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from delivery import tracking_codes
from delivery.models import ComplaintStatus, Courier
from delivery.phones import phone_normalize
from delivery.services.complaints import CATEGORIES, NEXT_STATUSES
from delivery.services.satisfaction import ELEMENT_LABELS, ELEMENTS

SCORES = [
    (1, _("1 - Not good")),
    (2, _("2 - Not good enough")),
    (3, _("3 - Good")),
    (4, _("4 - Very good")),
]


class SurveyForm(forms.Form):
    """The nine elements of PermenPAN-RB 14/2017, each 1-4, and a free comment."""

    comment = forms.CharField(
        label=_("Comment or suggestion (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for element in ELEMENTS:
            self.fields[element] = forms.TypedChoiceField(
                label=ELEMENT_LABELS[element],
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a score.")},
            )
        self.order_fields([*ELEMENTS, "comment"])

    def scores(self) -> dict[str, int]:
        return {element: self.cleaned_data[element] for element in ELEMENTS}


class ComplaintForm(forms.Form):
    """A complaint about one's delivery."""

    category = forms.ChoiceField(label=_("About"), choices=list(CATEGORIES.items()))
    text = forms.CharField(
        label=_("What happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe your complaint.")},
    )


class GeneralComplaintForm(ComplaintForm):
    """A complaint about the service in general; the phone number is optional."""

    contact_phone = forms.CharField(
        label=_("Phone number for the ticket and answer (optional)"),
        required=False,
        max_length=20,
    )

    def clean_contact_phone(self) -> str:
        raw = self.cleaned_data["contact_phone"].strip()
        return phone_normalize(raw) if raw else ""


class RespondForm(forms.Form):
    """A dispatcher's step on a complaint."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s.value, s.label) for s in ComplaintStatus if s in NEXT_STATUSES],
    )
    public_note = forms.CharField(
        label=_("Answer to the applicant (shown publicly)"),
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

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("tracking_code", "courier", "day")):
            raise ValidationError(_("Choose a delivery, a courier or a day."))
        return data
