"""Staff pages: the dispatcher's complaint list and the auditor's trail browser."""

import csv
import json

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from console import trust_selectors as selectors
from console.access import StaffRequest, staff_view
from console.labels import local_iso
from console.trust_forms import AuditFilterForm, RespondForm
from delivery.errors import DomainError
from delivery.models import ActorKind, Role
from delivery.services.audit import audit_append
from delivery.services.complaints import complaint_respond

AUDIT_PAGE_ROWS = 500
CSV_HEADER = [
    "id", "at", "actor", "actor_kind", "action", "subject", "data", "prev_hash", "hash"
]  # fmt: skip


@staff_view(Role.DISPATCHER)
def complaint_list(request: StaffRequest) -> HttpResponse:
    """Open complaints first, by answer deadline, then the answered ones."""
    complaints = selectors.complaints_for_user(request.user)[:300]
    context = {"complaints": complaints, "now": timezone.now()}
    return render(request, "console/staff_complaints.html", context)


@staff_view(Role.DISPATCHER)
@require_http_methods(["GET", "POST"])
def complaint_detail(request: StaffRequest, ticket: str) -> HttpResponse:
    """One complaint with its full history; respond or resolve it."""
    complaints = selectors.complaints_for_user(request.user)
    complaint = complaints.filter(ticket=ticket).first()
    if complaint is None:
        raise Http404
    form = RespondForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint_respond(
                complaint=complaint, actor=request.user, **form.cleaned_data
            )
            return redirect("console:complaint", ticket=complaint.ticket)
        except DomainError as error:
            form.add_error(None, error.message)
    context = {"complaint": complaint, "form": form, "now": timezone.now()}
    return render(request, "console/staff_complaint.html", context)


@staff_view(Role.AUDITOR)
def audit_browse(request: StaffRequest) -> HttpResponse:
    """The audit trail of a delivery, a courier or a day; CSV with ?format=csv."""
    form = AuditFilterForm(request.GET or None, office=request.office)
    records = None
    if request.GET and form.is_valid():
        filters = {k: form.cleaned_data[k] for k in ("tracking_code", "courier", "day")}
        records = selectors.audit_records_for(user=request.user, **filters)
        if records is None:
            raise Http404
        if request.GET.get("format") == "csv":
            return _export(request, records, filters)
        records = records[:AUDIT_PAGE_ROWS]
    status = 400 if form.errors else 200
    context = {"form": form, "records": records}
    return render(request, "console/staff_audit.html", context, status=status)


def _export(request: StaffRequest, records, filters: dict) -> HttpResponse:
    """A CSV of the trail; the export of personal data is itself audited."""
    audit_append(
        action="audit.exported",
        subject=f"user:{request.user.pk}",
        actor=request.user,
        actor_kind=ActorKind.STAFF,
        data={
            "tracking_code": filters["tracking_code"],
            "courier_id": filters["courier"].pk if filters["courier"] else None,
            "day": filters["day"],
            "rows": records.count(),
        },
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for record in records.iterator(chunk_size=1000):
        writer.writerow(_csv_row(record))
    return response


def _csv_row(record) -> list:
    return [
        record.pk,
        local_iso(record.at),
        record.actor.get_username() if record.actor else "",
        record.actor_kind,
        record.action,
        record.subject,
        json.dumps(record.data, sort_keys=True, ensure_ascii=False),
        record.prev_hash,
        record.hash,
    ]
