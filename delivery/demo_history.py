"""Past months of a running office, so the demo's `/statistik/` shows real figures.

Written as a fixture is: the rows with their past times, a working day at a time, the
day's delivery events in one insert and their audit records appended to the chain with
`audit_append_many` (as `record_event` would, with the past time), so the audit chain
verifies and the trail reads like the office's own. Each step is checked against the
life cycle's TRANSITIONS. The people are invented (`demo_data`); nobody is
sent an SMS.

Shape of a working day (about what a small office does): a few passports handed over,
most on the first attempt and inside the promised two hours; a failed attempt comes
back the next working day. About a third of applicants answer the survey; a complaint
every few days, most answered before they are due.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from delivery import tracking_codes
from delivery.demo_data import demo_deliveries
from delivery.gazetteer import load_gazetteer
from delivery.models import (
    ActorKind,
    Applicant,
    Complaint,
    ComplaintStatus,
    ComplaintUpdate,
    Courier,
    Delivery,
    DeliveryEvent,
    Document,
    EventKind,
    Office,
    Role,
    Status,
    SurveyResponse,
)
from delivery.services.audit import AuditEntry, audit_append_many, event_audit_entry
from delivery.services.courier_steps import FailureReason
from delivery.services.transitions import TRANSITIONS, Actor, unscheduled_fields
from delivery.workdays import is_working_day, next_working_day

S = Status
COMPLAINT_TEXTS = {
    "late": "Paspor datang lewat dari jam yang dijanjikan.",
    "courier": "Kurir tidak ramah saat menyerahkan paspor.",
    "handover": "Kode serah terima tidak masuk ke HP saya.",
    "information": "Status di halaman lacak tidak diperbarui.",
    "other": "Mohon ada layanan di hari Sabtu.",
}


@dataclass
class HistoryReport:
    deliveries: int = 0
    surveys: int = 0
    complaints: int = 0


def seed_history(
    *, office: Office, days: int = 120, today: date | None = None, seed: int = 2025
) -> HistoryReport:
    """Write `days` calendar days of past deliveries (before today) for `office`."""
    today = today or timezone.localdate()
    if Delivery.objects.filter(office=office, delivered_at__isnull=False).exists():
        return HistoryReport()  # seeded before
    couriers = list(Courier.objects.filter(staff__office=office, is_active=True))
    staff = office.staff.filter(role=Role.DISPATCHER).first()
    writer = _Writer(office, couriers, staff.user if staff else None, seed)
    writer.today = today
    day = today - timedelta(days=days)
    while day < today:
        if is_working_day(day):
            with transaction.atomic():
                writer.working_day(day, today)
                writer.flush()
        day += timedelta(days=1)
    return writer.report


class _Writer:
    def __init__(self, office: Office, couriers: list, staff_user, seed: int) -> None:
        self.office, self.couriers, self.staff_user = office, couriers, staff_user
        self.rng = random.Random(seed)
        self.people = iter(demo_deliveries(5000, today=date(2026, 1, 1), seed=seed))
        self.report = HistoryReport()
        self.today = timezone.localdate()
        self.serial = 0
        self.events: list[DeliveryEvent] = []
        self.entries: list[AuditEntry] = []  # besides the events'

    def flush(self) -> None:
        """Write the day's events, then the audit records of events and the rest."""
        DeliveryEvent.objects.bulk_create(self.events)
        entries = [event_audit_entry(event) for event in self.events]
        audit_append_many(entries + self.entries)
        self.events, self.entries = [], []

    def working_day(self, day: date, today: date) -> None:
        for _ in range(self.rng.randint(4, 7)):
            self._delivery(day, today)
        if self.rng.random() < 0.75:
            self._complaint(day, today)

    def _delivery(self, day: date, today: date) -> None:
        person = next(self.people)
        courier = self.rng.choice(self.couriers)
        issued = day - timedelta(days=self.rng.randint(2, 12))
        delivery = self._create(person, issued)
        delivered = self._attempts(delivery, courier, day, today)
        delivery.save()
        if delivered and self.rng.random() < 0.35:
            self._survey(delivery)
        self.report.deliveries += 1

    def _attempts(
        self, delivery: Delivery, courier: Courier, day: date, today: date
    ) -> bool:
        """Attempts from `day` on, until handed over, returned, or today is reached
        (then it is back in the queue, and the live demo goes on from there)."""
        while True:
            if self._attempt(delivery, courier, day):
                return True
            day = next_working_day(day)
            if delivery.status == S.RETURNED_TO_OFFICE or day >= today:
                return False

    def _create(self, person, issued: date) -> Delivery:
        self.serial += 1
        applicant = Applicant.objects.create(
            full_name=person.full_name, phone=person.phone, language="id"
        )
        document = Document.objects.create(
            office=self.office,
            applicant=applicant,
            application_number=f"2C3SJH{self.serial:06d}",
            passport_number=person.passport_number,
            issued_on=issued,
        )
        at = _at(issued, time(15, 30))
        delivery = Delivery.objects.create(
            office=self.office,
            document=document,
            tracking_code=tracking_codes.generate(),
            status=S.RECEIVED,
            status_changed_at=at,
            address_line=person.address,
            village_code=person.village_code,
            **_village_point(person.village_code),
        )
        self._event(delivery, "", S.RECEIVED, Actor.system(), at)
        self._step(delivery, S.QUEUED, Actor.system(), at + timedelta(minutes=1))
        return delivery

    def _attempt(self, delivery: Delivery, courier: Courier, day: date) -> bool:
        start_hour = self.rng.randint(8, 13)
        eta_start = _at(day, time(start_hour, self.rng.choice([0, 30])))
        eta_end = eta_start + timedelta(hours=2)
        planner = Actor.staff(self.staff_user) if self.staff_user else Actor.system()
        self._step(
            delivery,
            S.SCHEDULED,
            planner,
            _at(day - timedelta(days=1), time(15)),
            courier=courier,
            scheduled_date=day,
            eta_start_at=eta_start,
            eta_end_at=eta_end,
        )
        by_courier = Actor.courier(courier.staff.user)
        self._step(delivery, S.OUT_FOR_DELIVERY, by_courier, _at(day, time(8, 10)))
        # Most arrive inside the window; some are late on long rural legs.
        at = eta_start + timedelta(minutes=self.rng.triangular(-10, 170, 60))
        if self.rng.random() < 0.84:
            self._step(delivery, S.DELIVERED, by_courier, at, delivered_at=at)
            return True
        reason = self.rng.choice(
            [FailureReason.NOT_AT_HOME] * 4
            + [FailureReason.ADDRESS_NOT_FOUND, FailureReason.ANOTHER_DAY]
        )
        attempts = delivery.failed_attempts + 1
        self._step(
            delivery,
            S.ATTEMPT_FAILED,
            by_courier,
            at,
            reason_code=reason,
            failed_attempts=attempts,
            **unscheduled_fields(),
        )
        after = at + timedelta(seconds=1)
        if attempts >= settings.MAX_DELIVERY_ATTEMPTS:
            self._step(
                delivery,
                S.RETURNED_TO_OFFICE,
                Actor.system(),
                after,
                reason_code="max_attempts",
            )
            self._uncollected(delivery)
        else:
            self._step(
                delivery, S.QUEUED, Actor.system(), after, reason_code="requeued"
            )
        return False

    def _uncollected(self, delivery: Delivery) -> None:
        """A returned passport nobody collected by its deadline was cancelled then,
        as the daily sweep does (so the live demo's sweep finds nothing left)."""
        deadline = delivery.document.collection_deadline
        if deadline < self.today:
            at = _at(deadline, time(0, 5))
            self._step(
                delivery,
                S.CANCELLED,
                Actor.system(),
                at,
                reason_code="collection_deadline_passed",
            )

    def _step(
        self, delivery: Delivery, to: str, actor: Actor, at: datetime, **fields
    ) -> None:
        """Move the in-memory delivery; `_delivery` saves it once at the end."""
        reason = fields.pop("reason_code", "")
        assert to in TRANSITIONS[delivery.status], (delivery.status, to)
        before = delivery.status
        for name, value in {"status": to, "status_changed_at": at, **fields}.items():
            setattr(delivery, name, value)
        self._event(delivery, before, to, actor, at, reason)

    def _event(
        self,
        delivery: Delivery,
        before: str,
        to: str,
        actor: Actor,
        at: datetime,
        reason: str = "",
    ) -> None:
        self.events.append(
            DeliveryEvent(
                delivery_id=delivery.pk,
                kind=EventKind.TRANSITION,
                from_status=before,
                to_status=to,
                actor=actor.user,
                actor_kind=actor.kind,
                at=at,
                reason_code=reason,
            )
        )

    def _survey(self, delivery: Delivery) -> None:
        assert delivery.delivered_at is not None
        # Mostly satisfied ("Baik"), with a spread.
        scores = {f"u{i}": self.rng.choice([3, 3, 3, 4, 4, 2]) for i in range(1, 10)}
        response = SurveyResponse.objects.create(
            delivery=delivery,
            district_code=delivery.village_code[:8],
            source="web",
            **scores,
        )
        at = delivery.delivered_at + timedelta(hours=self.rng.randint(1, 30))
        SurveyResponse.objects.filter(pk=response.pk).update(created_at=at)
        self.entries.append(
            AuditEntry(
                action="survey.submitted",
                subject=f"delivery:{delivery.pk}",
                actor_kind=ActorKind.APPLICANT,
                data={"survey_id": response.pk, "source": "web"},
                at=at,
            )
        )
        self.report.surveys += 1

    def _complaint(self, day: date, today: date) -> None:
        category = self.rng.choice(list(COMPLAINT_TEXTS))
        at = _at(day, time(self.rng.randint(9, 20), self.rng.randint(0, 59)))
        complaint = Complaint.objects.create(
            ticket=f"ADU-H{day:%y%m%d}{self.rng.randint(100, 999)}",
            category=category,
            text=COMPLAINT_TEXTS[category],
            source="web",
            created_at=at,
            due_at=at + timedelta(days=settings.COMPLAINT_RESPONSE_DAYS),
        )
        self.entries.append(
            AuditEntry(
                action="complaint.filed",
                subject=f"complaint:{complaint.ticket}",
                actor_kind=ActorKind.APPLICANT,
                data={"delivery_id": None, "category": category, "source": "web"},
                at=at,
            )
        )
        answered = at + timedelta(hours=self.rng.triangular(2, 160, 30))
        if answered.date() < today and self.staff_user is not None:
            self._answer(complaint, answered)
        self.report.complaints += 1

    def _answer(self, complaint: Complaint, at: datetime) -> None:
        status = ComplaintStatus.RESOLVED
        Complaint.objects.filter(pk=complaint.pk).update(status=status, resolved_at=at)
        ComplaintUpdate.objects.create(
            complaint=complaint,
            at=at,
            actor=self.staff_user,
            status_after=status,
            public_note="Terima kasih, sudah kami tindak lanjuti dengan kurir.",
        )
        self.entries.append(
            AuditEntry(
                action="complaint.updated",
                subject=f"complaint:{complaint.ticket}",
                actor=self.staff_user,
                actor_kind=ActorKind.STAFF,
                data={"status": status},
                at=at,
            )
        )


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def _village_point(code: str) -> dict:
    place = load_gazetteer().get(code)
    return {
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "location_quality": "village" if place else "none",
        "location_source": "gazetteer" if place else "",
    }
