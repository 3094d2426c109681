"""Office scoping of the back office: staff see and change only their own office.

Every ModelAdmin of delivery and routing derives from `OfficeScopedAdmin`, which asks
`caller_for(user)` as the selectors do. A superuser sees every office; a dispatcher or
auditor sees the rows of their office; anyone else sees nothing. Choices of related
rows in forms (and the ids typed into raw-id fields) are scoped the same way, so a row
of another office can neither be read nor linked to.
"""

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from delivery.access import caller_for
from delivery.models import (
    Applicant,
    Courier,
    Delivery,
    Depot,
    Document,
    Office,
    Role,
    Staff,
)

# From a model to the id of its office, for the related rows a form may offer.
OFFICE_PATHS: dict[type[Model], str] = {
    Office: "pk",
    Staff: "office_id",
    Courier: "staff__office_id",
    Depot: "office_id",
    Document: "office_id",
    Delivery: "office_id",
}
SCOPED_ROLES = (Role.DISPATCHER, Role.AUDITOR)


def office_scope(request: HttpRequest) -> int | None:
    """The office id a caller is limited to; None for a superuser (every office)."""
    caller = caller_for(request.user)
    if caller.is_superuser:
        return None
    if caller.staff is None or caller.role not in SCOPED_ROLES:
        return 0  # no office has id 0: nothing at all
    return caller.staff.office_id


def office_rows(queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
    """The rows of a delivery model that belong to one office."""
    if queryset.model is Applicant:
        # An applicant belongs to the offices that hold one of their passports.
        held = Document.objects.filter(office_id=office_id).values("applicant_id")
        return queryset.filter(pk__in=held)
    path = OFFICE_PATHS.get(queryset.model)
    if path is None:
        return queryset.none()
    return queryset.filter(**{path: office_id})


class OfficeScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin limiting its rows and related choices to the caller's office."""

    # Lookup from this admin's model to its office id.
    office_path: str = "office_id"

    def scope(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        """This model's rows of one office (override for rows without a plain path)."""
        return queryset.filter(**{self.office_path: office_id})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        office_id = office_scope(request)
        return queryset if office_id is None else self.scope(queryset, office_id)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> "ModelChoiceField[Any] | None":
        office_id = office_scope(request)
        if office_id is not None and "queryset" not in kwargs:
            related = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = self.scope_related(related, office_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def scope_related(self, queryset: QuerySet[Any], office_id: int) -> QuerySet[Any]:
        """Related rows a form may offer: those of the office, or none if unknown."""
        return office_rows(queryset, office_id)
