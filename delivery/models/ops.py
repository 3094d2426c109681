"""Operations: when the periodic heartbeat last ran (beat sent it, a worker ran it)."""

from django.db import models


class Heartbeat(models.Model):
    """The last run of a periodic job, by name; /healthz reads its age."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
