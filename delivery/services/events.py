"""The one place a DeliveryEvent is written, so that every event is recorded alike."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from delivery.models import DeliveryEvent
from delivery.services.audit import audit_record_event
from delivery.tracking_cache import tracking_cache_forget


def record_event(
    *,
    delivery_id: int,
    kind: str,
    actor: Any,
    from_status: str = "",
    to_status: str = "",
    reason_code: str = "",
    note: str = "",
    position: Any = None,
    at: datetime | None = None,
    device_at: datetime | None = None,
) -> DeliveryEvent:
    """Append one event to a delivery's history and to the audit chain, atomically."""
    with transaction.atomic():
        event = DeliveryEvent.objects.create(
            delivery_id=delivery_id,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            actor=actor.user,
            actor_kind=actor.kind,
            at=at or timezone.now(),
            device_at=device_at,
            reason_code=reason_code,
            note=note,
            lat=position.lat if position else None,
            lon=position.lon if position else None,
        )
        audit_record_event(event=event)
        tracking_cache_forget(delivery_id)
    return event
