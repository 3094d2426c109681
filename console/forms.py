"""Forms of the dispatcher console; their errors are shown in the page's language."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from console.selectors import district_choices, village_choices
from delivery.errors import DomainError
from delivery.forms import MAX_UPLOAD_BYTES
from delivery.models import Courier, LocationQuality, Status
from routing.services import route_plan_date_check


class QueueFilterForm(forms.Form):
    """Filters and search of the queue."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open"))] + Status.choices
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    quality = forms.ChoiceField(
        label=_("Location quality"),
        required=False,
        choices=[("", "—"), *LocationQuality.choices],
    )
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `fields` is typed as plain fields; this one is declared a ChoiceField above.
        district = cast(forms.ChoiceField, self.fields["district"])
        district.choices = [("", "—"), *district_choices()]


class BulkActionForm(forms.Form):
    """Hold, release, record as collected or cancel the selected deliveries."""

    ACTIONS = [
        ("hold", _("Hold")),
        ("release", _("Release to the queue")),
        ("collected", _("Collected at the counter")),
        ("cancel", _("Cancel")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args: Any, allowed_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = cast(forms.TypedMultipleChoiceField, self.fields["ids"])
        ids.choices = [(str(i), str(i)) for i in allowed_ids]
        ids.error_messages["required"] = _("Select at least one row.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        needs_reason = data.get("action") in ("hold", "cancel")
        if needs_reason and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A reason is required."))
        return data


class LocationForm(forms.Form):
    """A village from the gazetteer, or a pin dropped on the map."""

    village_code = forms.ChoiceField(label=_("Village"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village_code = cast(forms.ChoiceField, self.fields["village_code"])
        village_code.choices = [("", "—"), *village_choices()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        pinned = data.get("lat") is not None and data.get("lon") is not None
        if not data.get("village_code") and not pinned:
            raise forms.ValidationError(
                _("Choose a village or place a pin on the map.")
            )
        return data


class CsvUploadForm(forms.Form):
    """A CSV file of completed passports for the dispatcher's office."""

    file = forms.FileField(label=_("CSV file"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class PlanStartForm(forms.Form):
    """A day to plan and the couriers on shift."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    couriers = forms.TypedMultipleChoiceField(
        label=_("Couriers on shift"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    time_limit_s = forms.IntegerField(
        label=_("Planning time (seconds)"), min_value=1, max_value=300, initial=10
    )
    horizon_days = forms.IntegerField(
        label=_("Forecast (working days)"),
        min_value=1,
        max_value=10,
        required=False,
        help_text=_("1: this day only."),
    )

    def __init__(self, *args: Any, couriers: list[Courier], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedMultipleChoiceField, self.fields["couriers"])
        field.choices = [(c.pk, str(c)) for c in couriers]
        self.fields["horizon_days"].initial = settings.PLAN_HORIZON_DAYS

    def clean_horizon_days(self) -> int:
        days: int | None = self.cleaned_data.get("horizon_days")
        return settings.PLAN_HORIZON_DAYS if days is None else days

    def clean_date(self) -> dt.date:
        """Only days that may be planned (see route_plan_date_check)."""
        day: dt.date = self.cleaned_data["date"]
        try:
            route_plan_date_check(day)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return day


class MoveStopForm(forms.Form):
    """Move a stop to a route at a position, or drop it (empty route)."""

    stop = forms.IntegerField(min_value=1)
    route = forms.IntegerField(label=_("Route"), required=False, min_value=1)
    position = forms.IntegerField(label=_("Position"), min_value=1, initial=1)


class RestoreForm(forms.Form):
    """Put left-out deliveries back on a route."""

    item = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": _("Select at least one row.")},
    )
    route = forms.IntegerField(label=_("Route"), min_value=1)
    position = forms.IntegerField(label=_("Position"), min_value=1, initial=1)

    def __init__(self, *args: Any, allowed_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = cast(forms.TypedMultipleChoiceField, self.fields["item"])
        item.choices = [(str(i), str(i)) for i in allowed_ids]


class PeriodForm(forms.Form):
    """A period for the office's figures (dates inclusive)."""

    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period must end after it starts."))
        return data


class PublishForm(forms.Form):
    """The dispatcher's consent to what the publish preview showed."""

    confirm = forms.BooleanField(
        label=_("I have checked these changes; publish and send the SMS."),
        error_messages={"required": _("Tick the box to confirm publishing.")},
    )
    reason = forms.CharField(
        label=_("Reason for taking back promised deliveries"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accept_lateness = forms.BooleanField(
        label=_("I accept the late stops and the overtime shown above."),
        required=False,
    )

    def __init__(self, *args: Any, preview: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = preview.needs_reason
        self.fields["reason"].error_messages["required"] = _(
            "Give a reason: this takes back deliveries already promised."
        )
        self.fields["accept_lateness"].required = preview.needs_late_ack
        self.fields["accept_lateness"].error_messages["required"] = _(
            "This plan is late or runs past a shift: confirm that explicitly."
        )
