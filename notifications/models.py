"""The SMS outbox, the provider's status reports, inbound messages and opt-outs.

notifications knows phone numbers and text, never deliveries: other apps hand it a
recipient, a template and an idempotency key inside their own transaction.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    UNKNOWN = "unknown", _("Outcome unknown")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Undelivered")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent (held back)")
    EXPIRED = "expired", _("Not sent (too late)")


class SuppressedReason(models.TextChoices):
    """Why a message was held back instead of sent (shown, never silent)."""

    OPTED_OUT = "opted_out", _("The number opted out")
    NUMBER_LIMIT = "number_limit", _("Too many SMS to this number")
    SUBJECT_LIMIT = "subject_limit", _("Too many SMS about this subject")
    BUDGET = "budget", _("The office's hourly SMS budget is spent")


# How far a message has got; a status report may only move it forward.
STATUS_RANK = {
    SmsStatus.QUEUED: 0,
    SmsStatus.SENDING: 1,
    SmsStatus.UNKNOWN: 1,
    SmsStatus.SENT: 2,
    SmsStatus.DELIVERED: 3,
    SmsStatus.UNDELIVERED: 3,
    SmsStatus.FAILED: 3,
    SmsStatus.SUPPRESSED: 3,
    SmsStatus.EXPIRED: 3,
}


class SmsMessage(models.Model):
    """One message to send, written in the same transaction as its cause."""

    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    to = models.CharField(_("recipient (E.164)"), max_length=20, db_index=True)
    template = models.CharField(_("template"), max_length=60)
    language = models.CharField(_("language"), max_length=2, default="id")
    body = models.TextField(_("text"))
    segments = models.PositiveSmallIntegerField(_("segments"))
    critical = models.BooleanField(_("sent even to opted-out numbers"), default=False)
    # The text carries a code or key: forgotten once the send is settled.
    secret = models.BooleanField(_("text forgotten once sent"), default=False)
    # An opaque name of what the message is about (e.g. "delivery:12"), for the caps;
    # notifications does not know what it names.
    subject = models.CharField(_("about"), max_length=60, blank=True)
    validity_s = models.PositiveIntegerField(_("validity (s)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    suppressed_reason = models.CharField(
        _("why held back"), max_length=20, choices=SuppressedReason.choices, blank=True
    )
    provider_sid = models.CharField(_("provider id"), max_length=64, blank=True)
    error_code = models.CharField(_("error code"), max_length=20, blank=True)
    error_message = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["provider_sid"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["subject", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.status})"


class SmsStatusReport(models.Model):
    """One status callback from the provider; unique per (message id, status)."""

    provider_sid = models.CharField(max_length=64)
    status = models.CharField(max_length=20)
    error_code = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SMS status report")
        verbose_name_plural = _("SMS status reports")
        constraints = [
            models.UniqueConstraint(
                fields=["provider_sid", "status"], name="sms_status_report_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_sid} {self.status}"


class InboundSms(models.Model):
    """A message an applicant sent us, and what we made of it."""

    provider_sid = models.CharField(max_length=64, unique=True)
    sender = models.CharField(_("from"), max_length=20, db_index=True)
    body = models.TextField(_("text"))
    handled_as = models.CharField(_("handled as"), max_length=20, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")

    def __str__(self) -> str:
        return f"{self.provider_sid} ({self.handled_as})"


class SmsOptOut(models.Model):
    """A number that asked not to get SMS (the handover code still goes out)."""

    phone = models.CharField(_("phone (E.164)"), max_length=20, unique=True)
    source = models.CharField(_("how"), max_length=20)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self) -> str:
        return self.phone
