"""The publish step of a plan: what it will do, then the dispatcher's confirmation."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from console.access import OfficeRequest, console_view
from console.forms import PublishForm
from delivery.errors import DomainError
from delivery.models import Delivery
from routing.models import RoutePlan
from routing.publishing import (
    PublishPreview,
    route_plan_publish_confirmed,
    route_plan_publish_preview,
)


@console_view
def publish(request: OfficeRequest, plan_id: int) -> HttpResponse:
    """Show what publishing changes; publish once confirmed (with a reason if asked)."""
    plans = RoutePlan.objects.filter(office=request.office)
    plan = get_object_or_404(plans, pk=plan_id)
    preview = route_plan_publish_preview(plan=plan)
    data = request.POST if request.method == "POST" else None
    form = PublishForm(data, preview=preview)
    if request.method == "POST" and form.is_valid():
        try:
            route_plan_publish_confirmed(
                plan=plan, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Plan published; the applicants are told by SMS.")
            )
            return redirect("console:plan", plan_id=plan.pk)
    context = {"plan": plan, "preview": preview, "form": form}
    context.update(_codes(preview))
    return render(request, "console/plan_publish.html", context)


def _codes(preview: PublishPreview) -> dict[str, list[str]]:
    """Tracking codes of the deliveries that change, for the dispatcher to check."""
    ids = preview.scheduled + preview.moved + preview.unscheduled
    codes = {d.pk: d.tracking_code_display for d in Delivery.objects.filter(pk__in=ids)}
    return {
        "scheduled_codes": [codes[i] for i in preview.scheduled],
        "moved_codes": [codes[i] for i in preview.moved],
        "unscheduled_codes": [codes[i] for i in preview.unscheduled],
    }
