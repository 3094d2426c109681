"""Reads of the public pages: what a tracking code or a ticket opens."""

from django.db.models import QuerySet

from delivery import tracking_codes
from delivery.models import Complaint, ComplaintUpdate, Delivery


def delivery_by_public_code(code: str) -> Delivery | None:
    """The delivery a typed tracking code names, or None (bad or unknown code alike)."""
    try:
        normalized = tracking_codes.normalize(code)
    except tracking_codes.InvalidTrackingCode:
        return None
    return (
        Delivery.objects.select_related("document__applicant")
        .filter(tracking_code=normalized)
        .first()
    )


def complaint_by_ticket(ticket: str) -> Complaint | None:
    """A complaint by its ticket (case-insensitive), or None."""
    return Complaint.objects.filter(ticket=ticket.strip().upper()).first()


def complaint_public_updates(complaint: Complaint) -> QuerySet[ComplaintUpdate]:
    """The steps the applicant sees: status and public note, never internal notes."""
    return complaint.updates.only("at", "status_after", "public_note", "complaint_id")
