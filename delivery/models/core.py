"""The delivery domain's core: applicants, passports, deliveries and their events.

A delivery's `status` is written only by the life cycle's services
(delivery.services.transitions and the steps on it); every change is recorded as a
DeliveryEvent in the same transaction.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery import tracking_codes
from delivery.models.fields import EncryptedCharField, PassportIndexField
from delivery.models.organisation import Courier, Office

__all__ = [
    "ActorKind",
    "Applicant",
    "Delivery",
    "DeliveryEvent",
    "Document",
    "EventKind",
    "Language",
    "LocationQuality",
    "Priority",
    "Status",
]


class Language(models.TextChoices):
    INDONESIAN = "id", "Bahasa Indonesia"
    ENGLISH = "en", "English"


class Applicant(models.Model):
    """The person a passport belongs to (or who applied for it for their family)."""

    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone (E.164)"), max_length=20, db_index=True)
    language = models.CharField(
        _("SMS language"), max_length=2, choices=Language.choices, default="id"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        constraints = [
            models.UniqueConstraint(
                fields=["phone", "full_name"], name="applicant_unique_phone_name"
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class Document(models.Model):
    """A completed passport waiting to be handed over."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="documents"
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="documents"
    )
    application_number = models.CharField(_("application number"), max_length=40)
    # Encrypted at rest; found again only through its keyed index (delivery.crypto).
    passport_number = EncryptedCharField(_("passport number"), plain_max_length=20)
    passport_number_index = PassportIndexField(db_index=True, default="")
    issued_on = models.DateField(_("issued on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("passport")
        verbose_name_plural = _("passports")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "application_number"],
                name="document_unique_application_per_office",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_number} ({self.masked_passport_number})"

    @property
    def masked_passport_number(self) -> str:
        """The passport number as anyone outside the back office may see it."""
        number = self.passport_number
        return f"{number[0]}{'*' * max(len(number) - 3, 1)}{number[-2:]}"

    @property
    def collection_deadline(self) -> date:
        """Last day to collect: a passport not collected by then is cancelled."""
        return self.issued_on + timedelta(days=settings.COLLECTION_DEADLINE_DAYS)


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SCHEDULED = "scheduled", _("Scheduled")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    ATTEMPT_FAILED = "attempt_failed", _("Attempt failed")
    ON_HOLD = "on_hold", _("On hold")
    RETURNED_TO_OFFICE = "returned_to_office", _("Returned to office")
    CANCELLED = "cancelled", _("Cancelled")


class LocationQuality(models.TextChoices):
    PIN = "pin", _("Pinned by hand")
    STREET = "street", _("Street")
    VILLAGE = "village", _("Village")
    DISTRICT = "district", _("District")
    NONE = "none", _("Unknown")


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    HIGH = 1, _("High")
    URGENT = 2, _("Urgent")


class Delivery(models.Model):
    """One passport's journey from the office to the applicant's hands."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="deliveries"
    )
    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="delivery"
    )
    tracking_code = models.CharField(
        _("tracking code"), max_length=tracking_codes.CODE_LENGTH, unique=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    status_changed_at = models.DateTimeField(_("status changed at"))
    address_line = models.CharField(_("address"), max_length=300)
    village_code = models.CharField(_("village code"), max_length=13, db_index=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    location_quality = models.CharField(
        _("location quality"),
        max_length=10,
        choices=LocationQuality.choices,
        default=LocationQuality.NONE,
    )
    location_source = models.CharField(_("location source"), max_length=20, blank=True)
    window_start = models.TimeField(_("preferred from"), null=True, blank=True)
    window_end = models.TimeField(_("preferred until"), null=True, blank=True)
    priority = models.SmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    notes = models.TextField(_("notes for the courier"), blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    courier = models.ForeignKey(
        Courier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    scheduled_date = models.DateField(_("scheduled for"), null=True, blank=True)
    eta_start_at = models.DateTimeField(_("expected from"), null=True, blank=True)
    eta_end_at = models.DateTimeField(_("expected until"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # Keyed hash of the survey key sent in the delivered SMS (delivery/survey_keys.py).
    survey_key_hash = models.CharField(_("survey key hash"), max_length=64, blank=True)
    # Set when too many wrong codes locked the handover; a dispatcher must decide.
    handover_locked_at = models.DateTimeField(
        _("handover locked at"), null=True, blank=True
    )
    # The applicant asked for delivery on this day (or later), from the tracking page.
    requested_date = models.DateField(_("requested day"), null=True, blank=True)
    # The office put planning off until this day (delivery.services.deferral).
    not_before = models.DateField(_("not planned before"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["office", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_start__isnull=True)
                | models.Q(window_end__isnull=True)
                | models.Q(window_start__lt=models.F("window_end")),
                name="delivery_window_start_before_end",
            )
        ]

    def __str__(self) -> str:
        return tracking_codes.display(self.tracking_code)

    @property
    def tracking_code_display(self) -> str:
        return tracking_codes.display(self.tracking_code)

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Office staff")
    COURIER = "courier", _("Courier")
    APPLICANT = "applicant", _("Applicant")
    SYSTEM = "system", _("System")


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Status change")
    LOCATION_FIXED = "location_fixed", _("Location fixed")
    RESCHEDULED = "rescheduled", _("New courier or time")
    HEADING = "heading", _("Courier on the way to the stop")
    ARRIVED = "arrived", _("Courier arrived")
    CODE_SENT = "code_sent", _("Handover code sent")
    CODE_REISSUED = "code_reissued", _("Handover code re-issued by the office")
    HANDOVER_LOCKED = "handover_locked", _("Handover locked")
    APPLICANT_REQUEST = "applicant_request", _("Applicant's request")
    UNDONE = "undone", _("Mistaken step undone")


class DeliveryEvent(models.Model):
    """One step in a delivery's history. Append-only: never updated or deleted."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=20, choices=Status.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(_("actor"), max_length=20, choices=ActorKind.choices)
    at = models.DateTimeField(_("at"), db_index=True)
    # The phone's own clock for actions recorded offline and sent later.
    device_at = models.DateTimeField(_("device time"), null=True, blank=True)
    reason_code = models.CharField(_("reason"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status}->{self.to_status}"
