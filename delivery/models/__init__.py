"""The delivery domain's models: organisation, core, handover, trust, imports, ops."""

from delivery.models.core import *  # noqa: F403
from delivery.models.core import __all__ as _core
from delivery.models.handover import (
    CourierAction,
    EventPhoto,
    HandoverAttempt,
    HandoverCode,
    ProofOfDelivery,
    RecipientKind,
)
from delivery.models.imports import ImportJob, ImportStatus
from delivery.models.ops import Heartbeat
from delivery.models.organisation import (
    Courier,
    CourierBase,
    Depot,
    Office,
    Role,
    Staff,
    VehicleKind,
)
from delivery.models.trust import (
    AuditCheckpoint,
    AuditRecord,
    Complaint,
    ComplaintStatus,
    ComplaintUpdate,
    SurveyResponse,
)

__all__ = [
    *_core,
    "AuditCheckpoint",
    "AuditRecord",
    "Complaint",
    "ComplaintStatus",
    "ComplaintUpdate",
    "Courier",
    "CourierAction",
    "CourierBase",
    "Depot",
    "Heartbeat",
    "EventPhoto",
    "HandoverAttempt",
    "HandoverCode",
    "ImportJob",
    "ImportStatus",
    "Office",
    "ProofOfDelivery",
    "RecipientKind",
    "Role",
    "Staff",
    "SurveyResponse",
    "VehicleKind",
]
