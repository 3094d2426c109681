"""Complaints (pengaduan): filed from the tracking page or by SMS, answered by a
dispatcher before a deadline, with a public timeline for the applicant."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delivery import tracking_codes
from delivery.errors import DomainError
from delivery.models import (
    ActorKind,
    Complaint,
    ComplaintStatus,
    ComplaintUpdate,
    Delivery,
)
from delivery.services.audit import audit_append
from notifications.services import queue_sms

CATEGORIES = {
    "late": gettext_lazy("Late or missed delivery"),
    "courier": gettext_lazy("Courier's behaviour"),
    "handover": gettext_lazy("Handover or code problem"),
    "information": gettext_lazy("Wrong or missing information"),
    "other": gettext_lazy("Something else"),
}
TICKET_PREFIX = "ADU-"
# Statuses a dispatcher may set, and those that count as answered.
NEXT_STATUSES = (
    ComplaintStatus.IN_PROGRESS,
    ComplaintStatus.RESOLVED,
    ComplaintStatus.CLOSED,
)
DONE = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)


def complaint_ticket_new() -> str:
    """A fresh ticket number: ADU- and 8 characters (40 random bits, easy to read)."""
    alphabet = tracking_codes.ALPHABET
    return TICKET_PREFIX + "".join(secrets.choice(alphabet) for _ in range(8))


def complaint_link(complaint: Complaint) -> str:
    """The public page of a complaint's handling, sent by SMS."""
    base = settings.SHORT_LINK_BASE_URL.rstrip("/")
    return f"{base}/pengaduan/{complaint.ticket}"


def complaint_file(
    *,
    text: str,
    category: str = "other",
    delivery: Delivery | None = None,
    contact_phone: str = "",
    source: str = "web",
) -> Complaint:
    """File a complaint (about a delivery, or anonymous); its ticket goes out by SMS."""
    if category not in CATEGORIES:
        raise DomainError(_("Choose a category."))
    if not text.strip():
        raise DomainError(_("Describe your complaint."))
    now = timezone.now()
    text = text.strip()[:4000]
    for _attempt in range(5):
        try:
            with transaction.atomic():
                repeat = _repeat_of(text, delivery, contact_phone, now)
                if repeat is not None:
                    return repeat
                complaint = Complaint.objects.create(
                    ticket=complaint_ticket_new(),
                    delivery=delivery,
                    category=category,
                    text=text,
                    contact_phone=contact_phone,
                    source=source,
                    created_at=now,
                    due_at=now + timedelta(days=settings.COMPLAINT_RESPONSE_DAYS),
                )
                _after_filing(complaint)
            return complaint
        except IntegrityError:
            continue  # a ticket collision (1 in a trillion): draw another
    raise DomainError(_("Please try again."))


def _repeat_of(
    text: str, delivery: Delivery | None, contact_phone: str, now: datetime
) -> Complaint | None:
    """The same text from the same sender lately: its ticket again, and no new SMS.

    Without it, a form posted again and again sends an SMS each time. The delivery's
    row is locked so that the same complaint posted twice at once is filed once."""
    since = now - timedelta(seconds=settings.COMPLAINT_REPEAT_WINDOW_S)
    same = Complaint.objects.filter(text=text, created_at__gte=since)
    if delivery is not None:
        Delivery.objects.select_for_update().filter(pk=delivery.pk).exists()
        same = same.filter(delivery=delivery)
    elif contact_phone:
        same = same.filter(delivery__isnull=True, contact_phone=contact_phone)
    else:
        return None  # anonymous without a number: no SMS, nobody to match
    return same.order_by("-created_at").first()


def _after_filing(complaint: Complaint) -> None:
    audit_append(
        action="complaint.filed",
        subject=f"complaint:{complaint.ticket}",
        actor_kind=ActorKind.APPLICANT,
        data={
            "delivery_id": complaint.delivery_id,
            "category": complaint.category,
            "source": complaint.source,
        },
    )
    phone, language = _complainant(complaint)
    if not phone:
        return
    queue_sms(
        to=phone,
        template="complaint_received",
        context={
            "ticket": complaint.ticket,
            "link": complaint_link(complaint),
            "days": settings.COMPLAINT_RESPONSE_DAYS,
        },
        key=f"complaint:{complaint.ticket}:received",
        language=language,
        subject=f"delivery:{complaint.delivery_id}" if complaint.delivery_id else "",
    )


def _complainant(complaint: Complaint) -> tuple[str, str]:
    """The number and language the ticket and answers go to ("" for no number): the
    delivery's applicant, else the number a general complaint left."""
    applicant = complaint.delivery.document.applicant if complaint.delivery else None
    if applicant is not None:
        return applicant.phone, applicant.language
    return complaint.contact_phone, "id"


def _send_answer(complaint: Complaint, update: ComplaintUpdate) -> bool:
    """Tell the complainant an answer is on the complaint's public page.

    The SMS carries the ticket and the link, not the answer: an answer of any length
    costs one segment, and the page shows it to whoever holds the ticket without the
    complaint's text or anyone's personal data. Not critical: quiet hours and caps
    apply. False when there is no number to send it to."""
    phone, language = _complainant(complaint)
    if not phone:
        return False
    queue_sms(
        to=phone,
        template="complaint_answered",
        context={
            "ticket": complaint.ticket,
            "link": complaint_link(complaint),
            "done": update.status_after in DONE,
        },
        key=f"complaint:{complaint.ticket}:update:{update.pk}",
        language=language,
        subject=f"delivery:{complaint.delivery_id}" if complaint.delivery_id else "",
    )
    return True


@transaction.atomic
def complaint_respond(
    *,
    complaint: Complaint,
    actor: User,
    status: str,
    public_note: str = "",
    internal_note: str = "",
) -> Complaint:
    """A dispatcher's step: a new status with a note for the applicant and/or staff."""
    if status not in NEXT_STATUSES:
        raise DomainError(_("Choose a valid status."))
    if not (public_note.strip() or internal_note.strip()):
        raise DomainError(_("Write a note."))
    now = timezone.now()
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status in DONE:
        raise DomainError(_("This complaint is already closed."))
    locked.status = status
    fields = ["status"]
    if status in DONE:
        locked.resolved_at = now
        fields.append("resolved_at")
    locked.save(update_fields=fields)
    update = ComplaintUpdate.objects.create(
        complaint=locked,
        at=now,
        actor=actor,
        status_after=status,
        public_note=public_note.strip(),
        internal_note=internal_note.strip(),
    )
    # Only an answer for the complainant is announced; an internal note is not.
    sms = bool(update.public_note) and _send_answer(locked, update)
    audit_append(
        action="complaint.updated",
        subject=f"complaint:{locked.ticket}",
        actor=actor,
        actor_kind=ActorKind.STAFF,
        data={"status": status, "answer_sms": sms},
    )
    return locked


def complaint_from_sms(*, sender: str, text: str) -> Complaint:
    """An "ADUAN <text>" SMS: about the sender's latest delivery, else general."""
    delivery = (
        Delivery.objects.filter(document__applicant__phone=sender)
        .select_related("document__applicant")
        .order_by("-created_at", "-id")
        .first()
    )
    return complaint_file(
        text=text or "-",
        delivery=delivery,
        contact_phone="" if delivery else sender,
        source="sms",
    )


COMPLAINT_KEYWORDS = {"ADUAN", "ADUKAN", "PENGADUAN", "KELUHAN", "COMPLAINT"}


def sms_reply_handle(*, phone: str, body: str) -> str | None:
    """An inbound SMS: "ADUAN <text>" files a complaint, one digit 1-4 is a rating."""
    from delivery.services.satisfaction import survey_sms_rating

    words = body.strip().split(maxsplit=1)
    if not words:
        return None
    if words[0].upper().rstrip(":") in COMPLAINT_KEYWORDS:
        complaint_from_sms(sender=phone, text=words[1] if len(words) > 1 else "")
        return "complaint"
    if body.strip() in {"1", "2", "3", "4"}:
        return "rating" if survey_sms_rating(phone=phone, rating=int(body)) else None
    return None
