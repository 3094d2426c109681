"""Staff correct a delivery's details (address, window, priority, notes), audited.

The address and the window decide where and when a courier goes, so they are frozen
once the passport is on a motorbike or done, like the location (``location.FIXABLE``).
Every change leaves one audit record naming the fields; the address itself is personal
data and is not copied into the trail, the window and priority are.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.models import ActorKind, Delivery
from delivery.services.audit import audit_append
from delivery.services.location import FIXABLE
from delivery.tracking_cache import tracking_cache_forget

DETAILS_CHANGED = "delivery.details_changed"
EDITABLE = ("address_line", "window_start", "window_end", "priority", "notes")
# Fields whose values may be copied into the trail (no personal data).
_SHOWN = ("window_start", "window_end", "priority")
_ROUTE_SHAPING = frozenset({"address_line", "window_start", "window_end"})


@transaction.atomic
def delivery_update_details(
    *, delivery_id: int, actor: User, changes: dict[str, Any]
) -> Delivery:
    """Apply ``changes`` (a subset of EDITABLE) to a delivery; one audit record."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    changed = {k: v for k, v in changes.items() if getattr(delivery, k) != v}
    if not changed:
        return delivery
    delivery_details_change_check(delivery=delivery, fields=changed)
    _check_window(
        changed.get("window_start", delivery.window_start),
        changed.get("window_end", delivery.window_end),
    )
    before = {k: _plain(getattr(delivery, k)) for k in changed if k in _SHOWN}
    for name, value in changed.items():
        setattr(delivery, name, value)
    delivery.save(update_fields=list(changed))
    tracking_cache_forget(delivery.pk)
    audit_append(
        action=DETAILS_CHANGED,
        subject=f"delivery:{delivery.pk}",
        actor=actor,
        actor_kind=ActorKind.STAFF,
        data={
            "fields": sorted(changed),
            "before": before,
            "after": {k: _plain(v) for k, v in changed.items() if k in _SHOWN},
        },
    )
    return delivery


def delivery_details_change_check(*, delivery: Delivery, fields: Any) -> None:
    """Raise DomainError if these fields may not change in the delivery's status."""
    if _ROUTE_SHAPING.intersection(fields) and delivery.status not in FIXABLE:
        raise DomainError(
            _(
                "The address and the time window can no longer be changed: the "
                "passport is out for delivery or the delivery is closed."
            )
        )


def _check_window(start: Any, end: Any) -> None:
    if (start is None) != (end is None):
        raise DomainError(_("Give both ends of the time window, or neither."))
    if start is not None and start >= end:
        raise DomainError(_("The time window must end after it starts."))


def _plain(value: Any) -> Any:
    return value.isoformat(timespec="minutes") if hasattr(value, "isoformat") else value
