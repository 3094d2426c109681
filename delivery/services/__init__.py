"""Everything that changes deliveries. Views, API, tasks and webhooks call these."""

from delivery.services.intake import (
    ImportReport,
    deliveries_import_csv,
    deliveries_intake_batch,
    delivery_intake,
)
from delivery.services.lifecycle import (
    TRANSITIONS,
    Actor,
    FailureReason,
    Position,
    deliveries_cancel_uncollected,
    delivery_cancel,
    delivery_create,
    delivery_hold,
    delivery_mark_collected,
    delivery_mark_delivered,
    delivery_queue,
    delivery_record_failed_attempt,
    delivery_release,
    delivery_schedule,
    delivery_start,
    delivery_unschedule,
)

__all__ = [
    "TRANSITIONS",
    "Actor",
    "FailureReason",
    "ImportReport",
    "Position",
    "deliveries_cancel_uncollected",
    "deliveries_import_csv",
    "deliveries_intake_batch",
    "delivery_create",
    "delivery_cancel",
    "delivery_hold",
    "delivery_intake",
    "delivery_mark_collected",
    "delivery_mark_delivered",
    "delivery_queue",
    "delivery_record_failed_attempt",
    "delivery_release",
    "delivery_schedule",
    "delivery_start",
    "delivery_unschedule",
]
