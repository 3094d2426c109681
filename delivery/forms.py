"""Forms of the back office."""

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
