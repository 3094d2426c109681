"""CSV imports run as background jobs: the file, the progress and the row report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery.models.organisation import Office


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded CSV file, imported in bounded batches by a Celery task."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    # The decoded text, kept until the job is done: it holds applicants' details.
    content = models.TextField(_("content"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.PENDING,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    report = models.JSONField(_("report"), default=dict)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Every batch touches it: a job untouched for long lost its worker (the sweep).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"import #{self.pk} ({self.status})"

    @property
    def progress(self) -> float:
        """The share of rows done, 0 to 1."""
        return self.processed_rows / self.total_rows if self.total_rows else 0.0
