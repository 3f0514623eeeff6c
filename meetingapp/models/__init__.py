"""All models, imported here so that Alembic and the app see every table."""

from .audit import AuditEntry
from .invitation import INVITATION_STATUSES, Invitation, MessageTemplate
from .mail import OUTBOX_STATUSES, OutboxMessage
from .meeting import MEETING_STATUSES, STATUS_TRANSITIONS, Meeting
from .organisation import ORGANISATION_KINDS, Contact, Organisation
from .types import UTCDateTime, utcnow
from .user import ROLES, User

__all__ = [
    "AuditEntry",
    "Contact",
    "INVITATION_STATUSES",
    "Invitation",
    "MEETING_STATUSES",
    "Meeting",
    "MessageTemplate",
    "ORGANISATION_KINDS",
    "OUTBOX_STATUSES",
    "Organisation",
    "OutboxMessage",
    "ROLES",
    "STATUS_TRANSITIONS",
    "UTCDateTime",
    "User",
    "utcnow",
]
