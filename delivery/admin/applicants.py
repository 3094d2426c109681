"""Applicants (phone numbers normalised) and their passports, found by number."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from delivery import services
from delivery.access import signed_in_user
from delivery.admin_scope import OfficeScopedAdmin, office_rows
from delivery.crypto import passport_index
from delivery.errors import DomainError
from delivery.models import (
    Applicant,
    Document,
)
from delivery.phones import phone_normalize


class ApplicantForm(forms.ModelForm):
    """The phone is checked here; the change itself goes through the service."""

    class Meta:
        model = Applicant
        fields = ["full_name", "phone", "language"]

    def clean_phone(self) -> str:
        phone = phone_normalize(self.cleaned_data["phone"])
        if self.instance.pk and phone != self.instance.phone:
            try:
                services.applicant_contact_change_check(applicant=self.instance)
            except DomainError as exc:
                raise ValidationError(exc.message) from None
        return phone


@admin.register(Applicant)
class ApplicantAdmin(OfficeScopedAdmin):
    form = ApplicantForm
    list_display = ["full_name", "phone", "language"]
    search_fields = ["full_name", "phone"]

    def scope(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        return office_rows(queryset, office_id)

    def save_model(
        self, request: HttpRequest, obj: Applicant, form: Any, change: bool
    ) -> None:
        if not (change and "phone" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        # Everything but the number is saved plainly; the number only by the service.
        new_phone, obj.phone = obj.phone, form.initial["phone"]
        super().save_model(request, obj, form, change)
        try:
            changed = services.applicant_change_contact(
                applicant=obj,
                actor=signed_in_user(request.user),
                phone=new_phone,
            )
        except DomainError as exc:  # a delivery was scheduled meanwhile
            self.message_user(request, exc.message, messages.ERROR)
        else:
            obj.phone = changed.phone


@admin.register(Document)
class DocumentAdmin(OfficeScopedAdmin):
    list_display = ["application_number", "passport_number", "applicant", "issued_on"]
    search_fields = ["application_number", "applicant__full_name"]
    raw_id_fields = ["applicant"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Document], search_term: str
    ) -> tuple[QuerySet[Document], bool]:
        """Also an exact passport number, through its keyed index (it is encrypted)."""
        found, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if search_term.strip():
            index = passport_index(search_term.strip())
            found |= queryset.filter(passport_number_index=index)
        return found, may_have_duplicates
