"""Route plans: one office and one date, the couriers' routes and their stops."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery.models import Courier, Delivery, Office


class PlanStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a planner")
    SOLVING = "solving", _("Planning")
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    FAILED = "failed", _("Failed")


class RoutePlan(models.Model):
    """A planning run and its result, reviewed by a dispatcher before publishing."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="plans")
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PlanStatus.choices,
        default=PlanStatus.PENDING,
    )
    replan_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replans"
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    progress = models.FloatField(_("progress"), default=0.0)
    best_cost = models.BigIntegerField(_("best cost so far"), null=True, blank=True)
    figures = models.JSONField(_("solver figures"), default=dict)
    error = models.TextField(_("error"), blank=True)
    # Recovery from lost work (routing/recovery.py): when the task reached the broker,
    # the solving worker's last sign of life, and how many times a worker claimed it.
    enqueued_at = models.DateTimeField(_("handed to a planner at"), null=True)
    heartbeat_at = models.DateTimeField(_("last sign of the planner at"), null=True)
    solve_attempts = models.PositiveSmallIntegerField(_("planner runs"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")
        indexes = [models.Index(fields=["office", "date", "status"])]

    def __str__(self) -> str:
        return f"{self.office.code} {self.date} #{self.pk} ({self.status})"


class Route(models.Model):
    """One courier's route in a plan."""

    plan = models.ForeignKey(RoutePlan, on_delete=models.CASCADE, related_name="routes")
    courier = models.ForeignKey(
        Courier, on_delete=models.PROTECT, related_name="routes"
    )
    distance_m = models.PositiveIntegerField(_("distance (m)"), default=0)
    duration_s = models.PositiveIntegerField(_("duration (s)"), default=0)
    load = models.PositiveIntegerField(_("passports"), default=0)
    start_at = models.DateTimeField(_("departure"), null=True)
    end_at = models.DateTimeField(_("return"), null=True)
    # Where the route starts and ends, as the courier's base was when planned; no
    # point means the office (docs/DESIGN.md, "Courier bases").
    base_label = models.CharField(_("start and end"), max_length=200, blank=True)
    base_lat = models.FloatField(null=True, blank=True)
    base_lon = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "courier"], name="route_one_per_courier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.courier}"

    def base(self) -> tuple[str, float, float]:
        """Label, latitude and longitude of the route's start and end."""
        if self.base_lat is not None and self.base_lon is not None:
            return (self.base_label, self.base_lat, self.base_lon)
        office = self.plan.office
        return (office.name, office.lat, office.lon)


class Stop(models.Model):
    """A visit in a route: one address, one or more deliveries."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    sequence = models.PositiveSmallIntegerField(_("order"))
    lat = models.FloatField()
    lon = models.FloatField()
    arrival_at = models.DateTimeField(_("arrival"))
    service_start_at = models.DateTimeField(_("service start"))
    eta_start_at = models.DateTimeField(_("promised from"))
    eta_end_at = models.DateTimeField(_("promised until"))
    distance_from_previous_m = models.PositiveIntegerField(default=0)
    locked = models.BooleanField(_("kept from the earlier plan"), default=False)

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        ordering = ["route", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "sequence"], name="stop_unique_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.route_id}#{self.sequence}"


class PlannedDelivery(models.Model):
    """A delivery's place in a plan: at a stop, or left out with the reason."""

    plan = models.ForeignKey(RoutePlan, on_delete=models.CASCADE, related_name="items")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="+")
    stop = models.ForeignKey(
        Stop, on_delete=models.CASCADE, null=True, blank=True, related_name="items"
    )
    dropped_reason = models.CharField(_("left out because"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("planned delivery")
        verbose_name_plural = _("planned deliveries")
        constraints = [
            models.UniqueConstraint(fields=["plan", "delivery"], name="planned_once"),
            models.CheckConstraint(
                condition=models.Q(stop__isnull=False) ^ ~models.Q(dropped_reason=""),
                name="planned_at_a_stop_or_dropped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.delivery_id}"


class PlanForecast(models.Model):
    """The forecast of the next working days made with a plan (routing/horizon.py).

    Only the plan's own day is publishable; the other days are a forecast, made again
    with every plan. `result` holds the days (per courier counts), each queued
    delivery's forecast day or the reason it will miss its deadline, and a summary.
    """

    plan = models.OneToOneField(
        RoutePlan, on_delete=models.CASCADE, related_name="forecast"
    )
    days = models.PositiveSmallIntegerField(_("working days"))
    result = models.JSONField(_("forecast"), default=dict)
    error = models.TextField(_("error"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("plan forecast")
        verbose_name_plural = _("plan forecasts")

    def __str__(self) -> str:
        return f"{self.plan_id}+{self.days}d"
