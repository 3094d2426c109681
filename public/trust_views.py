"""Public pages (no login): the survey and complaints of a delivery, general
complaints, a complaint's timeline, and the service figures."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from delivery import survey_keys
from delivery.errors import DomainError
from delivery.figures import figures_recent
from delivery.services.complaints import complaint_file
from delivery.services.satisfaction import SURVEY_OPEN, survey_submit
from public import selectors
from public.ratelimit import tracking_rate_limited
from public.trust_forms import ComplaintForm, GeneralComplaintForm, SurveyForm


def _not_found(request: HttpRequest) -> HttpResponse:
    # Same page for a malformed code and an unknown one: nothing to learn from it.
    return render(request, "trust/not_found.html", status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "trust/too_many.html", status=429)


def _lookup(request: HttpRequest, code: str):
    if tracking_rate_limited(request):
        return None, _too_many(request)
    delivery = selectors.delivery_by_public_code(code)
    return delivery, (None if delivery else _not_found(request))


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, code: str, key: str = "") -> HttpResponse:
    """The satisfaction survey of one delivered passport, opened with the key that
    only the applicant got (in the delivered SMS); the tracking code is not enough."""
    delivery, refusal = _lookup(request, code)
    if refusal:
        return refusal
    if not survey_keys.matches(key, delivery.survey_key_hash):
        context = {"delivery": delivery, "needs_key": True}
        return render(request, "trust/survey.html", context, status=403)
    answered = hasattr(delivery, "survey")
    is_open = delivery.status in SURVEY_OPEN and not answered
    form = SurveyForm(request.POST or None) if is_open else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            survey_submit(
                delivery=delivery,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
            return redirect(request.path)
        except DomainError as error:
            form.add_error(None, error.message)
    context = {
        "delivery": delivery,
        "form": form,
        "answered": answered,
        "not_yet": delivery.status not in SURVEY_OPEN,
    }
    return render(request, "trust/survey.html", context)


@require_http_methods(["GET", "POST"])
def delivery_complaint(request: HttpRequest, code: str) -> HttpResponse:
    """A complaint about one's delivery; the ticket goes out by SMS."""
    delivery, refusal = _lookup(request, code)
    if refusal:
        return refusal
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        complaint = complaint_file(delivery=delivery, **form.cleaned_data)
        return redirect("trust:complaint-status", ticket=complaint.ticket)
    return render(
        request, "trust/complaint_form.html", {"form": form, "delivery": delivery}
    )


@require_http_methods(["GET", "POST"])
def general_complaint(request: HttpRequest) -> HttpResponse:
    """A complaint about the service in general, anonymous if the sender wishes."""
    if request.method == "POST" and tracking_rate_limited(request, "complaint"):
        return _too_many(request)
    form = GeneralComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        complaint = complaint_file(**form.cleaned_data)
        return redirect("trust:complaint-status", ticket=complaint.ticket)
    return render(request, "trust/complaint_form.html", {"form": form})


def complaint_status(request: HttpRequest, ticket: str) -> HttpResponse:
    """A complaint's handling as the applicant sees it (no internal notes)."""
    if tracking_rate_limited(request, "ticket"):
        return _too_many(request)
    complaint = selectors.complaint_by_ticket(ticket)
    if complaint is None:
        return _not_found(request)
    updates = selectors.complaint_public_updates(complaint)
    return render(
        request,
        "trust/complaint_status.html",
        {"complaint": complaint, "updates": updates},
    )


def public_figures(request: HttpRequest) -> HttpResponse:
    """This month's and the last months' service figures, for everyone."""
    context = {"months": figures_recent(), "min_cases": settings.MIN_CASES_PUBLIC}
    return render(request, "trust/figures.html", context)
