"""Everything that changes deliveries. Views, API, tasks and webhooks call these."""

from delivery.services.applicant_requests import (
    delivery_hold_for_collection,
    delivery_request_day,
    delivery_request_window,
    delivery_sms_opt_in,
    delivery_sms_opt_out,
)
from delivery.services.contacts import (
    applicant_change_contact,
    applicant_contact_change_check,
)
from delivery.services.courier_actions import (
    ActionInput,
    courier_action_apply,
    deliveries_start_route,
    delivery_record_failed_visit,
)
from delivery.services.courier_base import courier_base_check, courier_set_base
from delivery.services.courier_steps import (
    FailureReason,
    delivery_mark_delivered,
    delivery_record_failed_attempt,
    delivery_start,
    delivery_undo_failed_attempt,
)
from delivery.services.deferral import delivery_defer
from delivery.services.details import (
    delivery_details_change_check,
    delivery_update_details,
)
from delivery.services.handover import (
    HandoverOutcome,
    Proof,
    delivery_mark_arrived,
    delivery_mark_heading,
    handover_code_reissue,
    handover_code_send,
    handover_code_verify,
)
from delivery.services.import_jobs import (
    import_job_report,
    import_job_run_batch,
    import_job_start,
    import_jobs_sweep,
)
from delivery.services.intake import (
    ImportReport,
    deliveries_import_csv,
    deliveries_intake_batch,
    delivery_intake,
)
from delivery.services.lifecycle import (
    deliveries_cancel_uncollected,
    delivery_cancel,
    delivery_create,
    delivery_hold,
    delivery_mark_collected,
    delivery_queue,
    delivery_release,
    delivery_reschedule,
    delivery_schedule,
    delivery_unschedule,
)
from delivery.services.location import (
    delivery_fix_location,
    location_fields,
    location_fix_check,
)
from delivery.services.transitions import TRANSITIONS, Actor, Position

__all__ = [
    "TRANSITIONS",
    "ActionInput",
    "Actor",
    "applicant_change_contact",
    "applicant_contact_change_check",
    "HandoverOutcome",
    "Proof",
    "courier_action_apply",
    "courier_base_check",
    "courier_set_base",
    "deliveries_start_route",
    "delivery_mark_arrived",
    "delivery_mark_heading",
    "delivery_record_failed_visit",
    "delivery_undo_failed_attempt",
    "handover_code_reissue",
    "handover_code_send",
    "handover_code_verify",
    "FailureReason",
    "ImportReport",
    "Position",
    "deliveries_cancel_uncollected",
    "deliveries_import_csv",
    "import_job_report",
    "import_job_run_batch",
    "import_job_start",
    "import_jobs_sweep",
    "deliveries_intake_batch",
    "delivery_create",
    "delivery_defer",
    "delivery_details_change_check",
    "delivery_fix_location",
    "delivery_update_details",
    "location_fields",
    "location_fix_check",
    "delivery_cancel",
    "delivery_hold",
    "delivery_intake",
    "delivery_mark_collected",
    "delivery_mark_delivered",
    "delivery_queue",
    "delivery_record_failed_attempt",
    "delivery_release",
    "delivery_reschedule",
    "delivery_schedule",
    "delivery_start",
    "delivery_unschedule",
    "delivery_hold_for_collection",
    "delivery_request_day",
    "delivery_request_window",
    "delivery_sms_opt_in",
    "delivery_sms_opt_out",
]
