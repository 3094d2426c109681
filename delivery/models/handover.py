"""Handover against a one-time code, and its proof (DESIGN.md "Handover")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery.models.core import Delivery, DeliveryEvent
from delivery.models.organisation import Courier


class HandoverCode(models.Model):
    """One code sent to the applicant, stored only as a keyed hash (never readable)."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, related_name="handover_codes"
    )
    # Bound to the assignment it was sent for: another courier cannot use it.
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("valid until"))
    failed_attempts = models.PositiveSmallIntegerField(_("wrong entries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    invalidated_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason for re-issue"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("handover code")
        verbose_name_plural = _("handover codes")
        indexes = [models.Index(fields=["delivery", "created_at"])]

    def __str__(self) -> str:
        return f"code for {self.delivery_id} at {self.created_at:%H:%M}"


class HandoverAttempt(models.Model):
    """One code entered by a courier: counts towards pausing a guessing courier."""

    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="+")
    code = models.ForeignKey(
        HandoverCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    success = models.BooleanField()

    class Meta:
        verbose_name = _("handover code entry")
        verbose_name_plural = _("handover code entries")
        indexes = [models.Index(fields=["courier", "at"])]

    def __str__(self) -> str:
        return f"{self.courier_id} {'ok' if self.success else 'wrong'} {self.at}"


class RecipientKind(models.TextChoices):
    HOLDER = "holder", _("The passport holder (shows KTP)")
    RELATIVE = "relative", _("A relative on the same family card (KK)")
    AUTHORIZED = "authorized", _("Holder of a letter of authority (surat kuasa)")


class ProofOfDelivery(models.Model):
    """Who received the passport, with a photo of their ID, where and when."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.PROTECT, related_name="proof"
    )
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="+")
    recipient_kind = models.CharField(
        _("recipient"), max_length=20, choices=RecipientKind.choices
    )
    recipient_name = models.CharField(_("recipient's name"), max_length=200)
    photo = models.FileField(_("photo of ID / KK / letter"), upload_to="proof/%Y/%m/")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    device_at = models.DateTimeField(_("device time"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proof of delivery")
        verbose_name_plural = _("proofs of delivery")

    def __str__(self) -> str:
        return f"proof for {self.delivery_id}"


class EventPhoto(models.Model):
    """A photo taken with a step (e.g. the closed house of a failed attempt)."""

    event = models.ForeignKey(
        DeliveryEvent, on_delete=models.PROTECT, related_name="photos"
    )
    photo = models.FileField(upload_to="events/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo of a step")
        verbose_name_plural = _("photos of steps")

    def __str__(self) -> str:
        return f"photo of event {self.event_id}"


class CourierAction(models.Model):
    """An action sent by the courier app, kept by client id: a replay is a no-op."""

    client_id = models.UUIDField(unique=True)
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    device_at = models.DateTimeField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=20)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("courier app action")
        verbose_name_plural = _("courier app actions")

    def __str__(self) -> str:
        return f"{self.action} {self.outcome}"
