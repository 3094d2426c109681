"""Who runs deliveries: offices, their depots and staff, couriers and their bases."""

from dataclasses import dataclass
from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Courier",
    "CourierBase",
    "Depot",
    "Office",
    "Role",
    "Staff",
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
