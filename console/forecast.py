"""Console page of a plan's forecast: "Perkiraan N hari kerja".

Counts per day per courier, and the deliveries that will miss their collection
deadline at the current capacity, with the reason and what would save them.
"""

from datetime import date

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from console.access import OfficeRequest, console_view
from delivery.gazetteer import load_gazetteer
from delivery.models import Courier, Delivery
from routing.models import PlanForecast, RoutePlan

RISK_REASONS = {
    "capacity": _("Not enough couriers on the days before the deadline"),
    "too_far": _("Too far to reach within any courier's shift"),
    "time_window": _("The applicant's window fits no route"),
    "deadline_passed": _("The collection deadline has passed"),
    "no_location": _("No location yet"),
    "requested_late": _("The applicant asked for a day after the deadline"),
}
REMEDIES = {
    "capacity": _("Needs 1 more courier-day"),
    "too_far": _("Needs a courier based nearer (a base in %(district)s)"),
    "time_window": _("Ask the applicant for another window"),
    "deadline_passed": _("Call the applicant: collect at the office"),
    "no_location": _("Fix the address"),
    "requested_late": _("Call the applicant about the day"),
}


def district_of(village_code: str) -> tuple[str, str]:
    """(code, name) of a village's district, from the gazetteer."""
    code = village_code[:8]
    place = load_gazetteer().get(code)
    return code, place.name if place else code


@console_view
def forecast(request: OfficeRequest, plan_id: int) -> HttpResponse:
    """The plan's forecast of the next working days."""
    plans = RoutePlan.objects.filter(office=request.office).select_related("office")
    plan = get_object_or_404(plans, pk=plan_id)
    found = PlanForecast.objects.filter(plan=plan).first()
    context: dict = {"plan": plan, "forecast": found}
    if found and found.result:
        context.update(_tables(plan, found.result))
    return render(request, "console/forecast.html", context)


def _tables(plan: RoutePlan, result: dict) -> dict:
    days = result.get("days", [])
    ids = {int(c) for day in days for c in day["couriers"]}
    couriers = Courier.objects.filter(pk__in=ids).select_related("staff__user")
    names = {str(c.pk): str(c) for c in couriers.order_by("id")}
    grid = [
        {"name": name, "counts": [day["couriers"].get(pk, 0) for day in days]}
        for pk, name in names.items()
    ]
    return {
        "days": [{**d, "date": date.fromisoformat(d["date"])} for d in days],
        "grid": grid,
        "at_risk": _risk_rows(plan, [i for i in result["items"] if i["risk"]]),
        "summary": result.get("summary", {}),
    }


def _risk_rows(plan: RoutePlan, items: list[dict]) -> list[dict]:
    deliveries = Delivery.objects.filter(
        office=plan.office, pk__in=[i["delivery_id"] for i in items]
    ).select_related("document")
    by_id = {d.pk: d for d in deliveries}
    gazetteer = load_gazetteer()
    rows = []
    for item in items:
        delivery = by_id.get(item["delivery_id"])
        if delivery is None:
            continue
        deadline = delivery.document.collection_deadline
        district = district_of(delivery.village_code)[1]
        rows.append(
            {
                "delivery": delivery,
                "village": gazetteer.label(delivery.village_code),
                "deadline": deadline,
                "days_left": (deadline - plan.date).days,
                "reason": RISK_REASONS.get(item["risk"], item["risk"]),
                "code": item["risk"],
                "remedy": str(REMEDIES.get(item["risk"], "")) % {"district": district},
            }
        )
    return sorted(rows, key=lambda r: (r["deadline"], r["delivery"].pk))
