"""Forms of the public trust pages: survey and complaints."""

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.phones import phone_normalize
from delivery.services.complaints import CATEGORIES
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
