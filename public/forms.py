"""Forms of the tracking page: typing a code, and the applicant's requests."""

from datetime import date, time
from typing import Any, cast

from django import forms
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delivery import tracking_codes
from delivery.services.applicant_requests import (
    WINDOW_HOURS,
    request_days_before,
    window_start_choices,
)


def code_error(text: str) -> str | None:
    """Why a typed code cannot be right (computed without the database), or None."""
    compact = "".join(text.split()).replace("-", "")
    if len(compact) != tracking_codes.CODE_LENGTH:
        return _(
            "A tracking code has 11 letters and digits, like K7M2-QX9P-RT4. "
            "Check the code in your SMS."
        )
    try:
        tracking_codes.normalize(compact)
    except tracking_codes.InvalidTrackingCode:
        return _(
            "This code has a typing mistake: one character does not match. "
            "Check it against your SMS."
        )
    return None


class LookupForm(forms.Form):
    """A tracking code as typed by a person."""

    code = forms.CharField(
        label=gettext_lazy("Tracking code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "K7M2-QX9P-RT4",
            }
        ),
    )

    def clean_code(self) -> str:
        text = self.cleaned_data["code"]
        error = code_error(text)
        if error:
            raise forms.ValidationError(error)
        return tracking_codes.normalize(text)


class RequestDayForm(forms.Form):
    """Another day: one of the next 14 days before the collection deadline."""

    day = forms.TypedChoiceField(
        label=gettext_lazy("Deliver on or after"),
        coerce=date.fromisoformat,
    )

    def __init__(
        self, *args: Any, deadline: date, today: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # `fields` is typed as plain fields; this one is declared a choice field above.
        field = cast(forms.TypedChoiceField, self.fields["day"])
        field.choices = [
            (day.isoformat(), formats.date_format(day, "l, j F"))
            for day in request_days_before(deadline, today=today)
        ]


class RequestWindowForm(forms.Form):
    """A two-hour window between 08.00 and 16.00."""

    start = forms.TypedChoiceField(
        label=gettext_lazy("Time"),
        coerce=time.fromisoformat,
        choices=[],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["start"])
        field.choices = [
            (
                start.isoformat("minutes"),
                f"{start:%H.%M}-{start.hour + WINDOW_HOURS:02d}.00 WIB",
            )
            for start in window_start_choices()
        ]


class HoldForm(forms.Form):
    """Stop the delivery and collect at the office, confirmed by a ticked box."""

    CONFIRM = gettext_lazy("Yes, stop the delivery: I will collect my passport myself.")
    REQUIRED = gettext_lazy("Tick the box to confirm that you will collect it.")
    confirm = forms.BooleanField(label=CONFIRM, error_messages={"required": REQUIRED})


class SmsForm(forms.Form):
    """SMS off (all but the handover code) or on again."""

    OFF = "off"
    ON = "on"
    sms = forms.ChoiceField(choices=[(OFF, OFF), (ON, ON)])
