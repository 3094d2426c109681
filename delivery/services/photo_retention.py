"""The retention rule for photos (README "Proof photos"): deleted after N days.

A photo is deleted PROOF_PHOTO_RETENTION_DAYS after it was taken (for a proof of
delivery: the handover), unless a complaint about its delivery is still open. The row
stays, without its photo, as the record of the handover; each deletion is appended to
the audit chain.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from delivery.models import ActorKind, ComplaintStatus, EventPhoto, ProofOfDelivery
from delivery.services.audit import audit_append

PURGE_BATCH = 500
_OPEN_COMPLAINT = (ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS)
PhotoModel = ProofOfDelivery | EventPhoto


def _expired(
    model: type[PhotoModel], delivery_path: str, cutoff: datetime
) -> QuerySet[PhotoModel]:
    on_hold = {f"{delivery_path}__complaints__status__in": _OPEN_COMPLAINT}
    rows: QuerySet[PhotoModel] = (
        model.objects.filter(created_at__lt=cutoff)
        .exclude(photo="")
        .exclude(**on_hold)
        .annotate(delivery_ref=F(delivery_path))
        .order_by("id")
    )
    return rows


def photos_purge_expired(*, now: datetime | None = None) -> int:
    """Delete photos past the retention rule, one audit record each (safe twice)."""
    cutoff = (now or timezone.now()) - timedelta(
        days=settings.PROOF_PHOTO_RETENTION_DAYS
    )
    deleted = 0
    kinds = ((ProofOfDelivery, "delivery"), (EventPhoto, "event__delivery"))
    for model, delivery_path in kinds:
        # Bounded: what is left waits for the next beat run.
        for row in _expired(model, delivery_path, cutoff)[:PURGE_BATCH]:
            deleted += _purge_one(model, row)
    return deleted


@transaction.atomic
def _purge_one(model: type[PhotoModel], row: PhotoModel) -> int:
    name = row.photo.name or ""
    # Conditional on the name still being there: a concurrent run deletes it once.
    if model.objects.filter(pk=row.pk, photo=name).update(photo="") == 0:
        return 0
    audit_append(
        action="photo.deleted",
        subject=f"delivery:{row.delivery_ref}",  # type: ignore[union-attr]
        actor_kind=ActorKind.SYSTEM,
        data={
            "photo": f"{model._meta.model_name}:{row.pk}",
            "reason": "retention",
            "retention_days": settings.PROOF_PHOTO_RETENTION_DAYS,
            "taken_at": row.created_at,
        },
    )
    storage = row.photo.storage
    # The file goes only once the row no longer points to it.
    transaction.on_commit(lambda: storage.delete(name))
    return 1
