"""The delivery domain: offices, staff and couriers, applicants, passports, deliveries.

A delivery's `status` is written only by the life cycle's services
(delivery.services.transitions and the steps on it); every change is recorded as a
DeliveryEvent in the same transaction.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery import tracking_codes
from delivery.models.fields import EncryptedCharField, PassportIndexField

__all__ = [
    "ActorKind",
    "Applicant",
    "Courier",
    "CourierBase",
    "Delivery",
    "DeliveryEvent",
    "Depot",
    "Document",
    "EventKind",
    "Language",
    "LocationQuality",
    "Office",
    "Priority",
    "Role",
    "Staff",
    "Status",
    "VehicleKind",
]


class Office(models.Model):
    """An immigration office that runs deliveries from its own depot."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name


class Depot(models.Model):
    """A handover point of an office besides the office itself (e.g. a UKK).

    The office ships the passports of a depot's couriers there the working day
    before; the couriers collect them at the start of their shift and bring back
    what they could not deliver (docs/DESIGN.md, "Courier bases").
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="depots")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("depot")
        verbose_name_plural = _("depots")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("Dispatcher")
    COURIER = "courier", _("Courier")
    AUDITOR = "auditor", _("Auditor")


class Staff(models.Model):
    """A user's place in an office: the role decides what they may see and do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.role})"


@dataclass(frozen=True)
class CourierBase:
    """The start and end of a courier's routes: "office", "depot" or "pin"."""

    kind: str
    label: str
    lat: float
    lon: float


class VehicleKind(models.TextChoices):
    MOTORBIKE = "motorbike", _("Motorbike")
    CAR = "car", _("Car")


class Courier(models.Model):
    """A courier's vehicle and shift, used by planning."""

    staff = models.OneToOneField(
        Staff, on_delete=models.CASCADE, related_name="courier"
    )
    vehicle_kind = models.CharField(
        _("vehicle"), max_length=20, choices=VehicleKind.choices, default="motorbike"
    )
    capacity = models.PositiveSmallIntegerField(_("capacity (passports)"), default=40)
    shift_start = models.TimeField(_("shift start"), default=time(8, 0))
    shift_end = models.TimeField(_("shift end"), default=time(16, 0))
    is_active = models.BooleanField(_("active"), default=True)
    # Set after too many wrong handover codes in an hour; no handover until then.
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True)
    # Where the courier's routes start and end: a depot of the office, or a pin of
    # their own (a gazetteer village or a point, e.g. where they live); neither
    # means the office. Changed only by delivery.services.courier_set_base (audited).
    depot = models.ForeignKey(
        Depot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="couriers",
        verbose_name=_("depot"),
    )
    base_label = models.CharField(_("base"), max_length=200, blank=True)
    base_village_code = models.CharField(_("base village"), max_length=13, blank=True)
    base_lat = models.FloatField(_("base latitude"), null=True, blank=True)
    base_lon = models.FloatField(_("base longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shift_start__lt=models.F("shift_end")),
                name="courier_shift_start_before_end",
            ),
            models.CheckConstraint(
                condition=models.Q(base_lat__isnull=True, base_lon__isnull=True)
                | models.Q(
                    base_lat__isnull=False, base_lon__isnull=False, depot__isnull=True
                ),
                name="courier_base_is_a_pin_or_a_depot",
            ),
        ]

    def __str__(self) -> str:
        return str(self.staff.user.get_full_name() or self.staff.user.get_username())

    def base(self) -> "CourierBase":
        """Where this courier's routes start and end (reads the office or depot)."""
        if self.depot_id is not None and self.depot is not None:
            depot = self.depot
            return CourierBase("depot", depot.name, depot.lat, depot.lon)
        if self.base_lat is not None and self.base_lon is not None:
            return CourierBase("pin", self.base_label, self.base_lat, self.base_lon)
        office = self.staff.office
        return CourierBase("office", office.name, office.lat, office.lon)


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
