"""All models, imported here so that Alembic and the app see every table."""

from . import ordering  # noqa: E402,F401  (listeners keeping the stored sort keys)
from .agenda import (
    AgendaItem,
    AgendaSession,
    AgendaSettings,
    AgendaStatus,
    AgendaVersion,
    Proposal,
    ProposalStatus,
    Speaker,
    Topic,
)
from .audit import AuditEntry
from .calendar import CalendarFeed
from .checkin import CHECKIN_METHODS, CHECKIN_RESULTS, CheckIn, CheckinAttempt, CheckinCode
from .invitation import INVITATION_STATUSES, Invitation, InvitationStatus, MessageTemplate
from .job import JOB_STATUSES, BackgroundJob, JobStatus
from .mail import OUTBOX_STATUSES, OutboxAttachment, OutboxMessage, OutboxStatus
from .meeting import MEETING_STATUSES, STATUS_TRANSITIONS, Meeting, MeetingStatus
from .organisation import ORGANISATION_KINDS, Contact, Organisation
from .outcome import OUTCOME_KINDS, OUTCOME_STATUSES, Outcome, OutcomeNote, OutcomeStatus
from .registration import (
    DELEGATE_ROLES,
    REGISTRATION_STATUSES,
    Delegate,
    NominationLetter,
    RegistrationStatus,
)
from .report import (
    Contribution,
    ContributionAnswer,
    ContributionStatus,
    ReportSection,
    ReportSettings,
)
from .types import UTCDateTime, utcnow
from .user import ROLES, User

__all__ = [
    "AgendaItem",
    "AgendaSession",
    "AgendaSettings",
    "AgendaStatus",
    "AgendaVersion",
    "AuditEntry",
    "BackgroundJob",
    "JobStatus",
    "CalendarFeed",
    "CHECKIN_METHODS",
    "CHECKIN_RESULTS",
    "CheckIn",
    "CheckinAttempt",
    "CheckinCode",
    "Contact",
    "Contribution",
    "ContributionAnswer",
    "ContributionStatus",
    "DELEGATE_ROLES",
    "Delegate",
    "INVITATION_STATUSES",
    "Invitation",
    "InvitationStatus",
    "JOB_STATUSES",
    "MEETING_STATUSES",
    "Meeting",
    "MeetingStatus",
    "MessageTemplate",
    "NominationLetter",
    "ORGANISATION_KINDS",
    "OUTBOX_STATUSES",
    "OUTCOME_KINDS",
    "OUTCOME_STATUSES",
    "Organisation",
    "Outcome",
    "OutcomeNote",
    "OutcomeStatus",
    "OutboxAttachment",
    "OutboxMessage",
    "OutboxStatus",
    "Proposal",
    "ProposalStatus",
    "REGISTRATION_STATUSES",
    "RegistrationStatus",
    "ROLES",
    "ReportSection",
    "ReportSettings",
    "STATUS_TRANSITIONS",
    "Speaker",
    "Topic",
    "UTCDateTime",
    "User",
    "utcnow",
]
