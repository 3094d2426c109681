"""The office's couriers and where each one's routes start and end (their base).

A dispatcher bases a courier at the office, at a depot of the office (e.g. the UKK
Pulau Punjung) or at a village or pin of their own; the change goes through the
audited service. Auditors may read the list.
"""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.access import OfficeRequest, console_view, dispatcher_only
from console.selectors import village_choices
from delivery import services
from delivery.errors import DomainError
from delivery.models import Courier, Depot


class CourierBaseForm(forms.Form):
    """A depot, or a village, or a pin; nothing at all means the office."""

    depot = forms.ModelChoiceField(
        Depot.objects.none(), label=gettext_lazy("Depot"), required=False
    )
    village_code = forms.ChoiceField(label=gettext_lazy("Village"), required=False)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False)
    label = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=200)

    def __init__(self, *args: Any, depots: QuerySet[Depot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["depot"]).queryset = depots
        village_code = cast(forms.ChoiceField, self.fields["village_code"])
        village_code.choices = [("", "—"), *village_choices()]


def _couriers(request: OfficeRequest) -> QuerySet[Courier]:
    return (
        Courier.objects.filter(staff__office=request.office)
        .select_related("staff__user", "staff__office", "depot")
        .order_by("id")
    )


@console_view
def couriers(request: OfficeRequest) -> HttpResponse:
    """Each courier with vehicle, shift and base."""
    rows = [{"courier": c, "base": c.base()} for c in _couriers(request)]
    return render(request, "console/couriers.html", {"rows": rows})


@dispatcher_only
def courier_base(request: OfficeRequest, courier_id: int) -> HttpResponse:
    """Set where a courier's routes start and end."""
    courier = get_object_or_404(_couriers(request), pk=courier_id)
    depots = Depot.objects.filter(office=request.office, is_active=True)
    form = CourierBaseForm(
        request.POST or None, depots=depots, initial=_initial(courier)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        village = data["village_code"] or ""
        try:
            services.courier_set_base(
                courier=courier,
                actor=request.user,
                depot=data["depot"],
                village_code=village,
                lat=None if village else data["lat"],
                lon=None if village else data["lon"],
                label=data["label"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Base saved."))
            return redirect("console:couriers")
    context = {"courier": courier, "base": courier.base(), "form": form}
    return render(request, "console/courier_base.html", context)


def _initial(courier: Courier) -> dict[str, Any]:
    return {
        "depot": courier.depot_id,
        "village_code": courier.base_village_code,
        "lat": None if courier.base_village_code else courier.base_lat,
        "lon": None if courier.base_village_code else courier.base_lon,
        "label": "" if courier.depot_id else courier.base_label,
    }
