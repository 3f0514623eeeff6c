"""Meetings in the series."""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..urls import calendar_uid_domain
from .types import UTCDateTime, utcnow


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    HELD = "held"
    CANCELLED = "cancelled"


# The stored strings, in order: the text of the CHECK constraint is built from them.
MEETING_STATUSES = tuple(s.value for s in MeetingStatus)
STATUS_LABELS = {
    MeetingStatus.DRAFT: _l("Draft"),
    MeetingStatus.OPEN: _l("Open for registration"),
    MeetingStatus.CLOSED: _l("Registration closed"),
    MeetingStatus.HELD: _l("Held"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
}
# Which status may follow which: a held or cancelled meeting is final.
STATUS_TRANSITIONS: dict[MeetingStatus, tuple[MeetingStatus, ...]] = {
    MeetingStatus.DRAFT: (MeetingStatus.OPEN, MeetingStatus.CANCELLED),
    MeetingStatus.OPEN: (MeetingStatus.CLOSED, MeetingStatus.CANCELLED),
    MeetingStatus.CLOSED: (MeetingStatus.OPEN, MeetingStatus.HELD, MeetingStatus.CANCELLED),
    MeetingStatus.HELD: (),
    MeetingStatus.CANCELLED: (),
}


class Meeting(Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(f"status IN {MEETING_STATUSES!r}", name="status_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "registration_closes_at > registration_opens_at", name="registration_window"
        ),
        CheckConstraint("registration_closes_at <= ends_at", name="registration_before_end"),
        CheckConstraint(
            "delegates_per_organisation BETWEEN 1 AND 100", name="delegates_per_organisation"
        ),
        CheckConstraint("number IS NULL OR number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[int | None] = mapped_column(unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(500), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delegates_per_organisation: Mapped[int] = mapped_column(default=5)
    status: Mapped[MeetingStatus] = mapped_column(String(20), default=MeetingStatus.DRAFT,
                                                  index=True)
    # iCalendar SEQUENCE of the meeting's event: raised when its time, place or status changes.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # Added to each agenda item's own SEQUENCE: the meeting's SEQUENCE when items still took
    # it (migration c3e5a7b9d1f2), so no item goes back below what calendars received.
    item_sequence_base: Mapped[int] = mapped_column(default=0, server_default="0")
    # The domain of its calendar UIDs (meeting-<id>@domain), given once when it is created
    # and kept, so calendars keep updating the same events whatever the public address becomes.
    calendar_uid_domain: Mapped[str | None] = mapped_column(String(253),
                                                            default=calendar_uid_domain)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def allowed_transitions(self) -> tuple[MeetingStatus, ...]:
        return STATUS_TRANSITIONS[self.status]

    def __repr__(self) -> str:
        return f"<Meeting {self.number} {self.title!r}>"
