"""Forms of the back office."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.models import Office

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class CsvImportForm(forms.Form):
    """A CSV file of completed passports for one office."""

    office = forms.ModelChoiceField(queryset=Office.objects.all(), label=_("Office"))
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


def location_from_form(form: forms.BaseForm) -> tuple[Any, Any, Any]:
    """(village_code, lat, lon) for `delivery_fix_location` from a location form:
    a newly picked village wins; else the pin (the village stays only shown)."""
    data = form.cleaned_data
    village = data.get("village_code") if "village_code" in form.changed_data else None
    return village or None, data.get("lat"), data.get("lon")
