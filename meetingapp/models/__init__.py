"""All models, imported here so that Alembic and the app see every table."""

from .audit import AuditEntry
from .meeting import MEETING_STATUSES, STATUS_TRANSITIONS, Meeting
from .organisation import ORGANISATION_KINDS, Contact, Organisation
from .types import UTCDateTime, utcnow
from .user import ROLES, User

__all__ = [
    "AuditEntry",
    "Contact",
    "MEETING_STATUSES",
    "Meeting",
    "ORGANISATION_KINDS",
    "Organisation",
    "ROLES",
    "STATUS_TRANSITIONS",
    "UTCDateTime",
    "User",
    "utcnow",
]
