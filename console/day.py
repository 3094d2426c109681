"""Console pages of the day (live status, decisions, re-plan) and the office figures."""

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from console import selectors
from console.access import OfficeRequest, console_view
from console.figures import office_figures
from console.forms import PeriodForm
from console.planning import plan_review
from console.views import map_context
from delivery.errors import DomainError
from routing import services as routing
from routing.models import PlanStatus, RoutePlan

REPLAN_TIME_LIMIT_S = 10
FIGURES_DAYS = 30  # default period: the last 30 days


def _day(request: HttpRequest) -> date:
    return parse_date(request.GET.get("date") or "") or timezone.localdate()


def reissue_path(delivery_id: int) -> str | None:
    """The handover re-issue API of a delivery, if this installation has it."""
    path = f"/api/deliveries/{delivery_id}/handover/reissue/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


@console_view
def day(request: OfficeRequest) -> HttpResponse:
    """Live status per courier and stop, and what needs a decision."""
    on_date = _day(request)
    plan = RoutePlan.objects.filter(
        office=request.office, date=on_date, status=PlanStatus.PUBLISHED
    ).first()
    decisions = selectors.deliveries_needing_decision(
        office=request.office, day=on_date
    )
    # Auditors read the day; re-issuing a code is a dispatcher's step.
    locked = [
        (d, reissue_path(d.pk) if request.can_edit else None)
        for d in decisions["locked"]
    ]
    context = {
        "day": on_date,
        "plan": plan,
        "locked": locked,
        "failed": decisions["failed"],
        "requests": decisions["requests"],
        "map": map_context(),
        **(plan_review(plan) if plan else {}),
    }
    template = (
        "console/day_live.html" if request.GET.get("live") else "console/day.html"
    )
    return render(request, template, context)


@require_POST
@console_view
def replan(request: OfficeRequest) -> HttpResponse:
    """Re-plan the rest of the day, keeping done and started stops."""
    on_date = parse_date(request.POST.get("date") or "") or timezone.localdate()
    try:
        plan = routing.route_plan_replan(
            office=request.office,
            on_date=on_date,
            actor=request.user,
            time_limit_s=REPLAN_TIME_LIMIT_S,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('console:day')}?date={on_date}")
    return redirect("console:plan", plan_id=plan.pk)


@console_view
def figures(request: OfficeRequest) -> HttpResponse:
    """On-time rate, first-attempt success, failed reasons and days to delivery."""
    today = timezone.localdate()
    initial = {"start": today - timedelta(days=FIGURES_DAYS), "end": today}
    form = PeriodForm(request.GET or None, initial=initial)
    period = form.cleaned_data if form.is_valid() else initial
    result = office_figures(
        office=request.office, start=period["start"], end=period["end"]
    )
    return render(request, "console/figures.html", {"form": form, "figures": result})
