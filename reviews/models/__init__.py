from .after_return import ConcernAfterReturn, ConcernKind, HomeAssessment, StepDownPlan
from .deadlines import Deadline, DeadlineKind, DigestStatus, ReminderDigest
from .decisions import (
    CarePlanApproval,
    CarePlanStep,
    CeasingCareRequest,
    ConsultationOutcome,
    Dispute,
    DisputeRoute,
    MeetingOutcome,
    NotPursued,
    StageMove,
    ViabilityConsultation,
    ViabilityMeeting,
)
from .returns import Breakdown, Closure, ClosureReason, LegalStatusAfterReturn, ReturnHome
from .statutory import Recommendation, Review, ReviewType, Visit
from .supervision import CaseSupervision, SupervisionAction

__all__ = [
    "ConcernAfterReturn",
    "ConcernKind",
    "HomeAssessment",
    "StepDownPlan",
    "Breakdown",
    "CaseSupervision",
    "SupervisionAction",
    "Closure",
    "ClosureReason",
    "Deadline",
    "DeadlineKind",
    "DigestStatus",
    "LegalStatusAfterReturn",
    "Recommendation",
    "ReminderDigest",
    "ReturnHome",
    "Review",
    "ReviewType",
    "Visit",
    "CarePlanApproval",
    "CarePlanStep",
    "CeasingCareRequest",
    "ConsultationOutcome",
    "Dispute",
    "DisputeRoute",
    "MeetingOutcome",
    "NotPursued",
    "StageMove",
    "ViabilityConsultation",
    "ViabilityMeeting",
]
