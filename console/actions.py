"""Bulk steps of the queue: each delivery goes through its own lifecycle service."""

from dataclasses import dataclass, field

from delivery import services
from delivery.errors import DomainError
from delivery.models import Delivery
from delivery.services import Actor


@dataclass
class BulkResult:
    """What a bulk step did: the changed codes, and the refused ones with reasons."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def deliveries_bulk_step(
    *, deliveries: list[Delivery], actor: Actor, action: str, reason: str
) -> BulkResult:
    """Hold, release, record as collected or cancel each delivery, one by one."""
    result = BulkResult()
    for delivery in deliveries:
        try:
            if action == "hold":
                services.delivery_hold(delivery=delivery, actor=actor, reason=reason)
            elif action == "release":
                services.delivery_release(delivery=delivery, actor=actor, note=reason)
            elif action == "collected":
                services.delivery_mark_collected(
                    delivery=delivery, actor=actor, note=reason
                )
            else:
                services.delivery_cancel(delivery=delivery, actor=actor, reason=reason)
        except DomainError as exc:
            result.refused.append((delivery.tracking_code_display, exc.message))
        else:
            result.done.append(delivery.tracking_code_display)
    return result
