"""The public tracking page: look up a code, see the delivery, ask for a change.

Every request that reads the database counts against the client's budget first, so a
throttled request looks the same whether or not the code exists; an unknown code gets
the same page and status whatever it is. Only the typo check (no database) says more.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from delivery.errors import DomainError
from delivery.models import Delivery
from delivery.services.applicant_requests import (
    delivery_hold_for_collection,
    delivery_request_day,
    delivery_request_window,
    delivery_sms_opt_in,
    delivery_sms_opt_out,
)
from notifications.services import sms_is_opted_out
from public.access import Refusal, delivery_for_code, public_data_for_code
from public.forms import (
    HoldForm,
    LookupForm,
    RequestDayForm,
    RequestWindowForm,
    SmsForm,
)
from public.summary import TrackingSummary, tracking_summary

REFUSAL_TEMPLATES = {429: "tracking/throttled.html", 404: "tracking/not_found.html"}
# The page is rendered once per delivery version, language and day (the day form offers
# the next working days) and cached beside the summary it shows; what differs per
# request goes into two slots: the CSRF token (a fresh mask of the client's secret, so
# never cached) and the notices (messages after a request, refusals).
CSRF_SLOT = "antar-csrf-slot"
NOTICES_SLOT = "<!-- antar:notices -->"


@require_GET
@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """Type a tracking code; a well-formed one goes to its page (no database here)."""
    form = LookupForm(request.GET or None)
    if form.is_valid():
        return redirect("tracking:page", code=form.cleaned_data["code"])
    status = 400 if form.is_bound else 200
    return _render(request, "tracking/lookup.html", {"form": form}, status=status)


@require_GET
@never_cache
def page(request: HttpRequest, code: str) -> HttpResponse:
    """The delivery's status, timeline, expected window and the office's contact."""
    today = timezone.localdate().isoformat()
    found = public_data_for_code(request, code, rendered_page, variant=today)
    if isinstance(found, Refusal):
        return _refused(request, code, found)
    if code != found.code:
        return redirect("tracking:page", code=found.code)
    return _page_response(request, found.html)


@dataclass(frozen=True)
class PageView:
    """What the page shows of a delivery: nothing personal in it."""

    code: str
    summary: TrackingSummary
    sms_off: bool


@dataclass(frozen=True)
class RenderedPage:
    """The page's HTML with its per-request slots empty: cached, so nothing personal
    and no token in it."""

    code: str
    html: str


def page_view(delivery: Delivery) -> PageView:
    phone = delivery.document.applicant.phone
    return PageView(
        code=delivery.tracking_code,
        summary=tracking_summary(delivery),
        sms_off=sms_is_opted_out(phone=phone),
    )


def rendered_page(delivery: Delivery) -> RenderedPage:
    """The delivery's page as every visitor gets it, before the slots are filled."""
    view = page_view(delivery)
    return RenderedPage(code=view.code, html=_page_html(view))


def find_delivery(request: HttpRequest, code: str) -> Delivery | HttpResponse:
    """The delivery for a code in a URL, or the page that refuses it (429/400/404)."""
    found = delivery_for_code(request, code)
    if isinstance(found, Delivery):
        return found
    return _refused(request, code, found)


def _refused(request: HttpRequest, code: str, refusal: Refusal) -> HttpResponse:
    # Refusals never echo the code back, not even in the language switch.
    lookup_path = reverse("tracking:lookup")
    if refusal.status == 400:
        context: dict[str, Any] = {"form": LookupForm({"code": code})}
        return _render(request, "tracking/lookup.html", context, 400, path=lookup_path)
    template = REFUSAL_TEMPLATES[refusal.status]
    context = {"form": LookupForm(), "message": refusal.message}
    return _render(request, template, context, refusal.status, path=lookup_path)


@require_POST
@never_cache
def request_day(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant asks for another day."""
    return _act(
        request,
        code,
        form_name="day_form",
        make_form=lambda delivery, data: RequestDayForm(
            data, deadline=delivery.document.collection_deadline
        ),
        apply=lambda delivery, data: delivery_request_day(
            delivery=delivery, on_date=data["day"]
        ),
        done=_("Request received: we will deliver on that day or later."),
    )


@require_POST
@never_cache
def request_window(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant asks for a two-hour window."""
    return _act(
        request,
        code,
        form_name="window_form",
        make_form=lambda delivery, data: RequestWindowForm(data),
        apply=lambda delivery, data: delivery_request_window(
            delivery=delivery, window_start=data["start"]
        ),
        done=_("Request received: we will deliver in the time you chose."),
    )


@require_POST
@never_cache
def hold(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant will collect the passport at the office."""
    return _act(
        request,
        code,
        form_name="hold_form",
        make_form=lambda delivery, data: HoldForm(data),
        apply=lambda delivery, data: delivery_hold_for_collection(delivery=delivery),
        done=_("Delivery stopped: collect your passport at the office."),
    )


@require_POST
@never_cache
def sms(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant turns SMS off or on again (the handover code always comes)."""

    def apply(delivery: Delivery, data: dict[str, Any]) -> Delivery:
        if data["sms"] == SmsForm.OFF:
            return delivery_sms_opt_out(delivery=delivery)
        return delivery_sms_opt_in(delivery=delivery)

    return _act(
        request,
        code,
        form_name="sms_form",
        make_form=lambda delivery, data: SmsForm(data),
        apply=apply,
        done=_("Your SMS choice is saved."),
    )


def _act(
    request: HttpRequest,
    code: str,
    *,
    form_name: str,
    make_form: Callable[[Delivery, Any], forms.Form],
    apply: Callable[[Delivery, dict[str, Any]], Delivery],
    done: str,
) -> HttpResponse:
    found = find_delivery(request, code)
    if isinstance(found, HttpResponse):
        return found
    delivery = found
    form = make_form(delivery, request.POST)
    status = 400
    if form.is_valid():
        try:
            apply(delivery, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
            delivery.refresh_from_db()  # the refused step rolled back
        else:
            messages.success(request, done)
            return redirect("tracking:page", code=delivery.tracking_code)
    view = page_view(delivery)
    return _render_page(request, view, bound={form_name: form}, status=status)


def _render_page(
    request: HttpRequest,
    view: PageView,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    # A refused request is said at the top: its form may not be shown any more.
    refusals = [
        e for form in (bound or {}).values() for e in form.errors.get("__all__", [])
    ]
    html = _page_html(view, bound=bound)
    return _page_response(request, html, refusals=refusals, status=status)


def _page_html(view: PageView, *, bound: dict[str, forms.Form] | None = None) -> str:
    """The page of `view` in the active language, with its slots empty."""
    path = reverse("tracking:page", kwargs={"code": view.code})
    bound = bound or {}
    today, deadline = timezone.localdate(), view.summary.collection_deadline
    day_select, window_select = _unbound_selects(get_language(), today, deadline)
    if "day_form" in bound:
        day_select = str(bound["day_form"]["day"])
    if "window_form" in bound:
        window_select = str(bound["window_form"]["start"])
    page_forms = {
        "day_form": RequestDayForm(deadline=deadline, today=today),
        "window_form": RequestWindowForm(),
        "hold_form": HoldForm(),
        **bound,
    }
    context = {
        "summary": view.summary,
        "code": view.code,
        **page_forms,
        "day_select": mark_safe(day_select),
        "window_select": mark_safe(window_select),
        "sms_off": view.sms_off,
        **_language_switch(path),
        "csrf_token": CSRF_SLOT,
        "notices": mark_safe(NOTICES_SLOT),
    }
    return render_to_string("tracking/page.html", context)


@lru_cache(maxsize=1024)
def _unbound_selects(language: str, today: date, deadline: date) -> tuple[str, str]:
    """The HTML of the day and time selects as nobody has posted them: the same for
    every delivery with this deadline, on this day, in this language (the working
    days come from settings, not the database). Rendering them through the form
    renderer took a quarter of a page's CPU."""
    day = RequestDayForm(deadline=deadline, today=today)["day"]
    return str(day), str(RequestWindowForm()["start"])


def _page_response(
    request: HttpRequest,
    html: str,
    *,
    refusals: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page with this request's CSRF token and notices in their slots."""
    stored = messages.get_messages(request)
    notices = ""
    if stored or refusals:
        context = {"messages": stored, "refusals": refusals or []}
        notices = render_to_string("tracking/notices.html", context)
    html = html.replace(CSRF_SLOT, get_token(request)).replace(NOTICES_SLOT, notices)
    return _public(HttpResponse(html, status=status))


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    path: str | None = None,
) -> HttpResponse:
    context = {**context, **_language_switch(path or request.path)}
    return _public(render(request, template, context, status=status))


def _language_switch(path: str) -> dict[str, str]:
    other = "en" if get_language() == "id" else "id"
    return {"other_language": other, "other_language_url": translate_url(path, other)}


def _public(response: HttpResponse) -> HttpResponse:
    # The code in the URL is the only secret: keep it out of indexes and other sites'
    # logs. Not "no-referrer": forms would then send "Origin: null" and fail CSRF.
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response
