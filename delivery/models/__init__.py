"""The delivery domain's models, in three modules: core, handover, trust."""

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
    "CourierAction",
    "EventPhoto",
    "HandoverAttempt",
    "HandoverCode",
    "ProofOfDelivery",
    "RecipientKind",
    "SurveyResponse",
]
