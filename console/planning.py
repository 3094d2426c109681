"""Console pages of planning: start a plan, watch it, review and change the draft,
publish it, and print the manifests."""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from console import manifests
from console.access import OfficeRequest, console_view, dispatcher_only
from console.forms import MoveStopForm, PlanStartForm, RestoreForm
from console.leftout import left_out_defaults, left_out_groups
from console.views import map_context
from delivery.errors import DomainError
from delivery.gazetteer import load_gazetteer
from delivery.selectors import couriers_available
from routing import plan_edits
from routing import services as routing
from routing.models import PlannedDelivery, PlanStatus, Route, RoutePlan, Stop
from routing.review import RouteLateness, plan_lateness, stop_window
from routing.selectors import route_plan_dropped, route_plan_with_routes

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]  # fmt: skip
DROP_REASONS = {
    "capacity": gettext_lazy("No room left on any motorbike"),
    "time_window": gettext_lazy("Its time window fits no route"),
    "shift_too_short": gettext_lazy("No courier has time left in the shift"),
    "not_reachable_in_time": gettext_lazy("Too far to reach within a shift"),
    "no_vehicle": gettext_lazy("No courier on shift"),
    "not_planned": gettext_lazy("Planning ran out of time"),
    "dispatcher": gettext_lazy("Taken out by the dispatcher"),
}


def _plans(request: OfficeRequest):
    return RoutePlan.objects.filter(office=request.office).select_related("office")


@console_view
def plans(request: OfficeRequest) -> HttpResponse:
    """Recent plans, and the form to plan a day."""
    couriers = list(couriers_available(office_id=request.office.pk))
    initial = {
        "date": timezone.localdate() + timedelta(days=1),
        "couriers": [c.pk for c in couriers],
    }
    form = PlanStartForm(request.POST or None, couriers=couriers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = routing.route_plan_start(
                office=request.office,
                on_date=form.cleaned_data["date"],
                actor=request.user,
                courier_ids=form.cleaned_data["couriers"],
                time_limit_s=form.cleaned_data["time_limit_s"],
                horizon_days=form.cleaned_data["horizon_days"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("console:plan", plan_id=plan.pk)
    recent = _plans(request).order_by("-created_at")[:20]
    return render(request, "console/plans.html", {"form": form, "plans": recent})


@console_view
def plan_detail(request: OfficeRequest, plan_id: int) -> HttpResponse:
    """A plan: its progress while it runs, then routes on a map with their figures."""
    plan = get_object_or_404(_plans(request), pk=plan_id)
    context = {
        "plan": plan,
        "map": map_context(),
        "editable": False,
        # The page's words for each status, for the heading while it polls.
        "status_labels": {code: str(label) for code, label in PlanStatus.choices},
    }
    if plan.status in (PlanStatus.DRAFT, PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED):
        context.update(plan_review(plan))
        context["editable"] = plan.status == PlanStatus.DRAFT and request.can_edit
    return render(request, "console/plan.html", context)


def plan_review(plan: RoutePlan) -> dict:
    """Routes with colours, figures and stops, the map's data, and what was left out."""
    gazetteer = load_gazetteer()
    plan_routes = route_plan_with_routes(plan)
    lateness = plan_lateness(plan, plan_routes)
    routes = [
        _route_row(route, PALETTE[index % len(PALETTE)], gazetteer, lateness[route.pk])
        for index, route in enumerate(plan_routes)
    ]
    dropped = left_out_groups(plan, route_plan_dropped(plan), gazetteer, DROP_REASONS)
    depot = {"lat": plan.office.lat, "lon": plan.office.lon, "name": plan.office.name}
    map_routes = [
        {
            "courier": str(row["route"].courier),
            "color": row["color"],
            "base": list(row["route"].base()),
            "stops": [
                [s["stop"].lat, s["stop"].lon, s["stop"].sequence, s["codes"]]
                for s in row["stops"]
            ],
        }
        for row in routes
    ]
    return {
        "routes": routes,
        "dropped": dropped,
        "dropped_count": sum(len(group["rows"]) for group in dropped),
        "left_out": left_out_defaults(plan),
        "map_data": {"depot": depot, "routes": map_routes},
        "late_total": sum(r["late"] for r in routes),
        "overtime_min": sum(r["overtime_min"] for r in routes),
    }


def _route_row(route: Route, color: str, gazetteer, lateness: RouteLateness) -> dict:
    late_ids = set(lateness.late_stop_ids)
    stops = [_stop_row(stop, gazetteer, late_ids) for stop in route.stops.all()]
    return {
        "route": route,
        "color": color,
        "stops": stops,
        "km": route.distance_m / 1000,
        "hours": route.duration_s / 3600,
        "first": stops[0]["stop"].eta_start_at if stops else None,
        "last": stops[-1]["stop"].eta_end_at if stops else None,
        "late": len(late_ids),
        "shift_end": lateness.shift_end_at,
        "overtime_min": -(-lateness.overtime_s // 60),
    }


def _stop_row(stop: Stop, gazetteer, late_ids: set[int]) -> dict:
    deliveries = [item.delivery for item in stop.items.all()]
    codes = ", ".join(d.tracking_code_display for d in deliveries)
    village = gazetteer.label(deliveries[0].village_code) if deliveries else ""
    return {
        "stop": stop,
        "deliveries": deliveries,
        "codes": codes,
        "village": village,
        "window": stop_window(stop),
        "late": stop.pk in late_ids,
    }


def _form_error(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))


@require_POST
@console_view
def move_stop(request: OfficeRequest, plan_id: int) -> HttpResponse:
    """Move a stop of a draft to another route or position, or drop it."""
    plan = get_object_or_404(_plans(request), pk=plan_id)
    form = MoveStopForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("console:plan", plan_id=plan.pk)
    stop = get_object_or_404(Stop, pk=form.cleaned_data["stop"], route__plan=plan)
    target = None
    if form.cleaned_data["route"]:
        target = get_object_or_404(Route, pk=form.cleaned_data["route"], plan=plan)
    try:
        plan_edits.route_plan_move_stop(
            plan=plan,
            stop=stop,
            to_route_or_None=target,
            position=form.cleaned_data["position"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        _report_late(request, plan)
    return redirect("console:plan", plan_id=plan.pk)


def _report_late(request: HttpRequest, plan: RoutePlan) -> None:
    """The banner counts what the table and the figures count: the whole plan."""
    review = plan_review(plan)
    if review["late_total"] or review["overtime_min"]:
        messages.warning(
            request,
            _("Route updated: %(n)s stop(s) late, %(m)s minute(s) past shift end.")
            % {"n": review["late_total"], "m": review["overtime_min"]},
        )
    else:
        messages.success(request, _("Route updated."))


@require_POST
@console_view
def restore(request: OfficeRequest, plan_id: int) -> HttpResponse:
    """Put the ticked deliveries the draft left out back on a route, in order."""
    plan = get_object_or_404(_plans(request), pk=plan_id)
    left_out = route_plan_dropped(plan)
    form = RestoreForm(request.POST, allowed_ids=[i.pk for i in left_out])
    if not form.is_valid():
        _form_error(request, form)
        return redirect("console:plan", plan_id=plan.pk)
    items = left_out.filter(pk__in=form.cleaned_data["item"]).order_by("id")
    route = get_object_or_404(Route, pk=form.cleaned_data["route"], plan=plan)
    position = form.cleaned_data["position"]
    try:
        with transaction.atomic():  # all the ticked rows go back, or none
            for item in items:
                plan_edits.route_plan_restore_delivery(
                    plan=plan, item=item, route=route, position=position
                )
                position += 1
    except (DomainError, PlannedDelivery.DoesNotExist) as exc:
        messages.error(request, getattr(exc, "message", _("Not found.")))
    else:
        _report_late(request, plan)
    return redirect("console:plan", plan_id=plan.pk)


@dispatcher_only
def manifest(request: OfficeRequest, plan_id: int, route_id: int) -> HttpResponse:
    """One courier's printable manifest (PDF)."""
    plan = get_object_or_404(_plans(request), pk=plan_id)
    routes = {r.pk: r for r in _routes_for_print(plan)}
    route = routes.get(route_id)
    if route is None:
        return HttpResponse(status=404)
    pdf = manifests.route_manifest_pdf(plan=plan, route=route)
    name = f"manifest-{plan.date}-{route.courier.pk}.pdf"
    return _pdf(pdf, name)


@dispatcher_only
def summary(request: OfficeRequest, plan_id: int) -> HttpResponse:
    """The day summary of a plan (PDF)."""
    plan = get_object_or_404(_plans(request), pk=plan_id)
    return _pdf(manifests.day_summary_pdf(plan=plan), f"day-{plan.date}.pdf")


def _routes_for_print(plan: RoutePlan) -> list[Route]:
    items = PlannedDelivery.objects.select_related("delivery__document__applicant")
    stops = Stop.objects.order_by("sequence").prefetch_related(Prefetch("items", items))
    return list(
        plan.routes.select_related("courier__staff__user").prefetch_related(
            Prefetch("stops", stops)
        )
    )


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
