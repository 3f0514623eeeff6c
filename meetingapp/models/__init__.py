"""All models, imported here so that Alembic and the app see every table."""

from . import ordering  # noqa: E402,F401  (listeners keeping the stored sort keys)
from .agenda import (
    AgendaItem,
    AgendaSession,
    AgendaSettings,
    AgendaVersion,
    Proposal,
    Speaker,
    Topic,
)
from .audit import AuditEntry
from .calendar import CalendarFeed
from .checkin import CHECKIN_METHODS, CHECKIN_RESULTS, CheckIn, CheckinAttempt, CheckinCode
from .invitation import INVITATION_STATUSES, Invitation, MessageTemplate
from .job import JOB_STATUSES, BackgroundJob
from .mail import OUTBOX_STATUSES, OutboxAttachment, OutboxMessage
from .meeting import MEETING_STATUSES, STATUS_TRANSITIONS, Meeting
from .organisation import ORGANISATION_KINDS, Contact, Organisation
from .outcome import OUTCOME_KINDS, OUTCOME_STATUSES, Outcome, OutcomeNote
from .registration import DELEGATE_ROLES, REGISTRATION_STATUSES, Delegate, NominationLetter
from .report import Contribution, ContributionAnswer, ReportSection, ReportSettings
from .types import UTCDateTime, utcnow
from .user import ROLES, User

__all__ = [
    "AgendaItem",
    "AgendaSession",
    "AgendaSettings",
    "AgendaVersion",
    "AuditEntry",
    "BackgroundJob",
    "CalendarFeed",
    "CHECKIN_METHODS",
    "CHECKIN_RESULTS",
    "CheckIn",
    "CheckinAttempt",
    "CheckinCode",
    "Contact",
    "Contribution",
    "ContributionAnswer",
    "DELEGATE_ROLES",
    "Delegate",
    "INVITATION_STATUSES",
    "Invitation",
    "JOB_STATUSES",
    "MEETING_STATUSES",
    "Meeting",
    "MessageTemplate",
    "NominationLetter",
    "ORGANISATION_KINDS",
    "OUTBOX_STATUSES",
    "OUTCOME_KINDS",
    "OUTCOME_STATUSES",
    "Organisation",
    "Outcome",
    "OutcomeNote",
    "OutboxAttachment",
    "OutboxMessage",
    "Proposal",
    "REGISTRATION_STATUSES",
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
