"""Public trust: the tamper-evident audit chain, the satisfaction survey, complaints."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery.models.core import Delivery


class AuditRecord(models.Model):
    """One link of the hash chain: every auditable action, in order. Append-only."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(_("actor"), max_length=20)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    subject = models.CharField(_("subject"), max_length=80, db_index=True)
    data = models.JSONField(_("data"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.subject}"


class AuditCheckpoint(models.Model):
    """A signed note of the chain's head, so truncation after it is detected."""

    record_id_at = models.BigIntegerField(_("last record"))
    hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"checkpoint at #{self.record_id_at}"


class SurveyResponse(models.Model):
    """One applicant's answers to the nine elements of PermenPAN-RB 14/2017 (1-4)."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="survey"
    )
    district_code = models.CharField(max_length=8, db_index=True)
    u1 = models.PositiveSmallIntegerField(_("requirements"))
    u2 = models.PositiveSmallIntegerField(_("procedure"))
    u3 = models.PositiveSmallIntegerField(_("service time"))
    u4 = models.PositiveSmallIntegerField(_("cost / tariff"))
    u5 = models.PositiveSmallIntegerField(_("service product"))
    u6 = models.PositiveSmallIntegerField(_("staff competence"))
    u7 = models.PositiveSmallIntegerField(_("staff behaviour"))
    u8 = models.PositiveSmallIntegerField(_("handling of complaints"))
    u9 = models.PositiveSmallIntegerField(_("facilities"))
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(max_length=10, default="web")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    *[
                        models.Q(**{f"u{i}__gte": 1, f"u{i}__lte": 4})
                        for i in range(1, 10)
                    ]
                ),
                name="survey_scores_1_to_4",
            )
        ]

    def __str__(self) -> str:
        return f"survey {self.pk}"


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Received")
    IN_PROGRESS = "in_progress", _("Being handled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Complaint(models.Model):
    """A complaint (pengaduan), about a delivery or the service in general."""

    ticket = models.CharField(_("ticket"), max_length=20, unique=True)
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    category = models.CharField(_("category"), max_length=30)
    text = models.TextField(_("complaint"))
    contact_phone = models.CharField(
        _("phone for the answer"), max_length=20, blank=True
    )
    status = models.CharField(
        max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    source = models.CharField(max_length=10, default="web")
    created_at = models.DateTimeField(_("received at"), db_index=True)
    due_at = models.DateTimeField(_("answer due by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.ticket


class ComplaintUpdate(models.Model):
    """A step in handling a complaint; the applicant sees the public note only."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="updates"
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status_after = models.CharField(max_length=20, choices=ComplaintStatus.choices)
    public_note = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("complaint update")
        verbose_name_plural = _("complaint updates")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} -> {self.status_after}"
