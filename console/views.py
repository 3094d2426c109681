"""Console pages of the queue: list, filters, bulk steps, location fix, CSV import."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console import selectors
from console.access import OfficeRequest, console_view, dispatcher_only, landing_url
from console.actions import deliveries_bulk_step
from console.forms import (
    BulkActionForm,
    CsvUploadForm,
    LocationForm,
    QueueFilterForm,
)
from delivery import services
from delivery.errors import DomainError
from delivery.forms import location_from_form
from delivery.gazetteer import load_gazetteer
from delivery.intake_input import FIELD_LABELS
from delivery.models import Delivery, ImportJob, ImportStatus
from delivery.services import Actor

PAGE_SIZE = 100
# The CSV format the import page explains: column, required, example.
IMPORT_COLUMNS = [
    ("application_number", True, "PAS-2026-000123"),
    ("passport_number", True, "E1234567"),
    ("full_name", True, "Siti Rahmawati"),
    ("phone", True, "081234567890"),
    ("address", True, "Jl. Lintas Sumatera No. 5, Jorong Pasar"),
    ("issued_on", True, "28/11/2026"),
    ("village_code", False, "13.03.04.2001"),
    ("village", False, "Muaro"),
    ("window_start", False, "09:00"),
    ("window_end", False, "12:00"),
    ("notes", False, "Rumah cat hijau dekat masjid"),
]


class ConsoleLoginView(LoginView):
    """The console's own sign-in page."""

    template_name = "console/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


def _office_deliveries(request: OfficeRequest):
    return Delivery.objects.filter(office=request.office)


@console_view
def queue(request: OfficeRequest) -> HttpResponse:
    """The queue: every open delivery with its deadline, filters and bulk steps."""
    filters = QueueFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.queue_deliveries(office=request.office, **criteria)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/queue.html",
        {
            "filters": filters,
            "page": page,
            "rows": selectors.queue_rows(page.object_list),
            "bulk": BulkActionForm(allowed_ids=[]),
            "query": query.urlencode(),
        },
    )


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    """Back to the queue page the form was on; a `next` off this site: the queue."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("console:queue")


@require_POST
@console_view
def bulk(request: OfficeRequest) -> HttpResponse:
    """Hold, release or cancel the selected deliveries, each by its own service."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    allowed = list(_office_deliveries(request).filter(pk__in=ids))
    form = BulkActionForm(request.POST, allowed_ids=[d.pk for d in allowed])
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return _back_to_queue(request)
    result = deliveries_bulk_step(
        deliveries=allowed,
        actor=Actor.staff(request.user),
        action=form.cleaned_data["action"],
        reason=form.cleaned_data["reason"].strip(),
    )
    if result.done:
        messages.success(
            request, _("Done: %(codes)s") % {"codes": ", ".join(result.done)}
        )
    for code, reason in result.refused:
        messages.error(request, f"{code}: {reason}")
    return redirect("console:queue")


@console_view
def location(request: OfficeRequest, delivery_id: int) -> HttpResponse:
    """Fix a delivery's location: pick a village or drop a pin on the map."""
    delivery = get_object_or_404(_office_deliveries(request), pk=delivery_id)
    form = LocationForm(request.POST or None, initial=_location_initial(delivery))
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            # Saved as shown: the location stays as it was, with no event.
            messages.info(request, _("Nothing changed."))
            return redirect("console:queue")
        try:
            _fix_location(request, delivery, form)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Location saved."))
            return redirect("console:queue")
    place = load_gazetteer().get(delivery.village_code)
    return render(
        request,
        "console/location.html",
        {"delivery": delivery, "form": form, "village": place, "map": map_context()},
    )


def _fix_location(request: OfficeRequest, delivery: Delivery, form) -> None:
    village_code, lat, lon = location_from_form(form)
    services.delivery_fix_location(
        delivery=delivery,
        actor=Actor.staff(request.user),
        village_code=village_code,
        lat=lat,
        lon=lon,
    )


def _location_initial(delivery: Delivery) -> dict:
    place = load_gazetteer().get(delivery.village_code)
    known = delivery.village_code if place and place.is_village else ""
    return {"village_code": known, "lat": delivery.lat, "lon": delivery.lon}


def map_context() -> dict:
    """Tile URL and district points for the console's maps."""
    gazetteer = load_gazetteer()
    districts = [
        {"name": p.name, "lat": p.lat, "lon": p.lon}
        for p in gazetteer.places.values()
        if p.level == "district"
    ]
    return {"tile_url": settings.MAP_TILE_URL, "districts": districts}


@dispatcher_only
def csv_import(request: OfficeRequest) -> HttpResponse:
    """Upload a CSV file of completed passports; a worker imports it (import_job)."""
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_start(
                office=request.office,
                user=request.user,
                content=upload.read(),
                file_name=upload.name or "",
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("console:import-job", job_id=job.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "columns": _import_columns()}
    return render(request, "console/import.html", context, status=status)


@dispatcher_only
def import_job(request: OfficeRequest, job_id: int) -> HttpResponse:
    """An import's progress while a worker runs it, then its row-by-row report."""
    job = get_object_or_404(ImportJob, pk=job_id, office=request.office)
    finished = job.status in (ImportStatus.DONE, ImportStatus.FAILED)
    context = {
        "form": CsvUploadForm(),
        "job": job,
        "report": services.import_job_report(job) if finished else None,
        "columns": _import_columns(),
    }
    return render(request, "console/import.html", context)


def _import_columns() -> list[dict[str, object]]:
    return [
        {"name": name, "label": FIELD_LABELS[name], "required": required, "example": ex}
        for name, required, ex in IMPORT_COLUMNS
    ]
