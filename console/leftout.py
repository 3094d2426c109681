"""The plan page's left-out list: grouped by reason and district, with its actions.

Each row shows the days left before the collection deadline and the applicant's
window. A dispatcher acts on a row, a whole group or the ticked rows: put them on a
courier's route (a draft only), put them off to another working day, or hold them
with a reason. Every step goes through a domain service and is audited.
"""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from console.access import OfficeRequest, console_view
from console.forecast import district_of
from delivery import services as delivery_services
from delivery.errors import DomainError
from delivery.models import Status
from delivery.workdays import next_working_day
from routing.models import PlannedDelivery, PlanStatus, Route, RoutePlan
from routing.plan_edits import route_plan_restore_delivery
from routing.selectors import route_plan_dropped

HOLD_REASONS = [
    ("address", gettext_lazy("Address to be checked")),
    ("unreachable", gettext_lazy("Applicant cannot be reached")),
    ("wait", gettext_lazy("Applicant asked to wait")),
    ("other", gettext_lazy("Other reason")),
]
ACTIONS = ("restore", "defer", "hold")


def left_out_groups(plan: RoutePlan, items, gazetteer, reasons: dict) -> list[dict]:
    """Left-out deliveries grouped by reason, then district; largest first."""
    groups: dict[tuple[str, str], dict] = {}
    for item in items:
        delivery = item.delivery
        code, name = district_of(delivery.village_code)
        group = groups.setdefault(
            (item.dropped_reason, code),
            {"code": item.dropped_reason, "district": name, "rows": [],
             "reason": reasons.get(item.dropped_reason, item.dropped_reason)},
        )  # fmt: skip
        group["rows"].append(_row(plan, item, gazetteer))
    ordered = sorted(groups.values(), key=lambda g: (str(g["reason"]), -len(g["rows"])))
    for group in ordered:
        group["rows"].sort(key=lambda r: (r["days_left"], r["item"].pk))
        group["ids"] = ",".join(str(r["item"].pk) for r in group["rows"])
    return ordered


def _row(plan: RoutePlan, item: PlannedDelivery, gazetteer) -> dict:
    delivery = item.delivery
    deadline = delivery.document.collection_deadline
    return {
        "item": item,
        "village": gazetteer.label(delivery.village_code),
        "days_left": (deadline - plan.date).days,
        "window": (delivery.window_start, delivery.window_end),
        "waiting": delivery.status == Status.QUEUED,
    }


def left_out_defaults(plan: RoutePlan) -> dict:
    """The list's toolbar: the next working day, the hold reasons."""
    return {"defer_until": next_working_day(plan.date), "hold_reasons": HOLD_REASONS}


class LeftOutActionForm(forms.Form):
    """One action on the ticked rows, or on the rows named in `act` ("hold:3,4")."""

    act = forms.CharField(max_length=4000)
    item = forms.TypedMultipleChoiceField(coerce=int, required=False)
    route = forms.IntegerField(min_value=1, required=False)
    position = forms.IntegerField(min_value=1, max_value=500, required=False)
    until = forms.DateField(required=False)
    reason = forms.ChoiceField(choices=HOLD_REASONS, required=False)
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, allowed_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = set(allowed_ids)
        self.fields["item"].choices = [(str(i), str(i)) for i in allowed_ids]  # type: ignore[attr-defined]

    def clean(self) -> dict:
        data = super().clean() or {}
        action, _sep, named = data.get("act", "").partition(":")
        if action not in ACTIONS:
            raise forms.ValidationError(_("Unknown action."))
        try:
            ids = [int(i) for i in named.split(",") if i] if named else data["item"]
        except (ValueError, KeyError) as exc:
            raise forms.ValidationError(_("Select at least one row.")) from exc
        if not ids or not set(ids) <= self.allowed:
            raise forms.ValidationError(_("Select at least one row."))
        data["action"], data["ids"] = action, ids
        return data


@require_POST
@console_view
def act(request: OfficeRequest, plan_id: int) -> HttpResponse:
    """Put rows on a route, off to another day, or on hold (each one audited)."""
    plans = RoutePlan.objects.filter(office=request.office).select_related("office")
    plan = get_object_or_404(plans, pk=plan_id)
    left_out = route_plan_dropped(plan)
    form = LeftOutActionForm(request.POST, allowed_ids=[i.pk for i in left_out])
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("console:plan", plan_id=plan.pk)
    data = form.cleaned_data
    items = list(left_out.filter(pk__in=data["ids"]).order_by("id"))
    try:
        with transaction.atomic():  # all the rows, or none
            done = _apply(request, plan, items, data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("console:plan", plan_id=plan.pk)


def _apply(request: OfficeRequest, plan: RoutePlan, items, data) -> str:
    action, count = data["action"], len(items)
    if action == "restore":
        route = _route(plan, data.get("route"))
        position = data.get("position") or 1
        for offset, item in enumerate(items):
            route_plan_restore_delivery(
                plan=plan, item=item, route=route, position=position + offset
            )
        return _("%(n)s delivery(ies) put on %(courier)s's route.") % {
            "n": count, "courier": route.courier}  # fmt: skip
    actor = delivery_services.Actor.staff(request.user)
    if action == "defer":
        until = data.get("until") or next_working_day(plan.date)
        for item in items:
            delivery_services.delivery_defer(
                delivery=item.delivery, actor=actor, until=until, note=data["note"]
            )
        return _("%(n)s delivery(ies) put off to %(day)s.") % {"n": count, "day": until}
    reason = dict(HOLD_REASONS).get(data.get("reason") or "address", "")
    text = f"{reason}: {data['note']}" if data["note"] else str(reason)
    for item in items:
        delivery_services.delivery_hold(
            delivery=item.delivery, actor=actor, reason=text
        )
    return _("%(n)s delivery(ies) on hold.") % {"n": count}


def _route(plan: RoutePlan, route_id: int | None) -> Route:
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(_("Only a draft plan can be changed."))
    route = plan.routes.filter(pk=route_id or 0).select_related("courier").first()
    if route is None:
        raise DomainError(_("Choose a route."))
    return route
