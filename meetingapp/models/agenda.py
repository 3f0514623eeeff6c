"""A meeting's agenda: sessions, items and breaks, speakers, topics, published versions,
and the topics proposed (or floor asked for) by organisations.

Items never lose their id (calendar UIDs ``item-<id>@host`` are built on it);
an item that was ever published is cancelled, not deleted. ``sequence`` is the
iCalendar SEQUENCE: raised whenever the time, place or status changes.
"""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .invitation import Invitation
    from .meeting import Meeting
    from .organisation import Organisation
    from .registration import Delegate
    from .user import User

# The areas of resolution 1373 (2001): the first topics, which staff may extend.
DEFAULT_TOPICS = (
    "Terrorist financing",
    "Criminalisation and legal frameworks",
    "Border and transport security",
    "Information sharing",
    "Arms and dangerous materials",
    "Capacity-building assistance",
)
ITEM_KINDS = ("item", "break")
ITEM_KIND_LABELS = {"item": _l("Item"), "break": _l("Break")}


class AgendaStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


# The stored strings, in order: the text of the CHECK constraints is built from them.
AGENDA_STATUSES = tuple(s.value for s in AgendaStatus)
SPEAKER_ROLES = ("chair", "presenter", "discussant")
SPEAKER_ROLE_LABELS = {"chair": _l("Chair"), "presenter": _l("Presenter"),
                       "discussant": _l("Discussant")}
PROPOSAL_KINDS = ("topic", "speak")
PROPOSAL_KIND_LABELS = {"topic": _l("Topic proposed"), "speak": _l("Request for the floor")}


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


PROPOSAL_STATUSES = tuple(s.value for s in ProposalStatus)
PROPOSAL_STATUS_LABELS = {ProposalStatus.PENDING: _l("Awaiting the secretariat's answer"),
                          ProposalStatus.ACCEPTED: _l("Accepted"),
                          ProposalStatus.DECLINED: _l("Declined"),
                          ProposalStatus.WITHDRAWN: _l("Withdrawn")}

item_topics = Table(
    "agenda_item_topics", db.metadata,
    Column("item_id", ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("agenda_topics.id", ondelete="RESTRICT"), primary_key=True,
           index=True),
)
session_topics = Table(
    "agenda_session_topics", db.metadata,
    Column("session_id", ForeignKey("agenda_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("agenda_topics.id", ondelete="RESTRICT"), primary_key=True,
           index=True),
)


class Topic(Model):
    """A topic tag from the list staff maintain (shared by every meeting)."""

    __tablename__ = "agenda_topics"
    __table_args__ = (CheckConstraint("name_key <> ''", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Folded name: "Information sharing" and "information  sharing" are one topic.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def display_name(self) -> str:
        return self.name


class AgendaSettings(Model):
    """Per-meeting agenda settings: the deadline for proposals."""

    __tablename__ = "agenda_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            unique=True)
    # Organisations may propose topics and ask for the floor until then; None: not open.
    proposals_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped["Meeting"] = relationship("Meeting")

    @property
    def display_name(self) -> str:
        return "Agenda settings"


class AgendaSession(Model):
    """A session of the meeting ("Session I: Global Standards on Counter-Terrorism")."""

    __tablename__ = "agenda_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"status IN {AGENDA_STATUSES!r}", name="status_known"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint("title <> ''", name="title_not_empty"),
        # Lets items and proposals require a session of their own meeting.
        UniqueConstraint("id", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[AgendaStatus] = mapped_column(String(20), default=AgendaStatus.SCHEDULED)
    sequence: Mapped[int] = mapped_column(default=0)
    was_published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped["Meeting"] = relationship("Meeting")
    topics: Mapped[list[Topic]] = relationship(secondary=session_topics, order_by=Topic.name)
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="session", foreign_keys="AgendaItem.session_id",
        primaryjoin="AgendaItem.session_id == AgendaSession.id",
        order_by="(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)")

    @property
    def display_name(self) -> str:
        return self.title

    @property
    def cancelled(self) -> bool:
        return self.status == AgendaStatus.CANCELLED


class AgendaItem(Model):
    """An item of the agenda or a break, in a session or free-standing."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"kind IN {ITEM_KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {AGENDA_STATUSES!r}", name="status_known"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint("title <> ''", name="title_not_empty"),
        UniqueConstraint("id", "meeting_id"),
        # The session, if any, is one of the same meeting.
        ForeignKeyConstraint(["session_id", "meeting_id"],
                             ["agenda_sessions.id", "agenda_sessions.meeting_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    session_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(10), default="item")
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(200), default="")  # "": the session's room
    # Order among items starting at the same time (reordering retimes items).
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[AgendaStatus] = mapped_column(String(20), default=AgendaStatus.SCHEDULED)
    sequence: Mapped[int] = mapped_column(default=0)
    was_published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped["Meeting"] = relationship("Meeting")
    session: Mapped[AgendaSession | None] = relationship(
        back_populates="items", foreign_keys=[session_id],
        primaryjoin="AgendaItem.session_id == AgendaSession.id")
    topics: Mapped[list[Topic]] = relationship(secondary=item_topics, order_by=Topic.name)
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", foreign_keys="Speaker.item_id",
        primaryjoin="Speaker.item_id == AgendaItem.id",
        order_by="(Speaker.position, Speaker.id)")

    @property
    def display_name(self) -> str:
        return self.title

    @property
    def cancelled(self) -> bool:
        return self.status == AgendaStatus.CANCELLED

    @property
    def effective_room(self) -> str:
        """The item's room, or its session's when it has none of its own."""
        if self.room:
            return self.room
        return self.session.room if self.session is not None else ""


class Speaker(Model):
    """The chair or a speaker of an item: an invited organisation, perhaps one of its delegates."""

    __tablename__ = "agenda_speakers"
    __table_args__ = (
        CheckConstraint(f"role IN {SPEAKER_ROLES!r}", name="role_known"),
        # The item is one of this meeting's ...
        ForeignKeyConstraint(["item_id", "meeting_id"],
                             ["agenda_items.id", "agenda_items.meeting_id"],
                             ondelete="CASCADE"),
        # ... and the organisation is invited to it: no invitation, no speaker.
        ForeignKeyConstraint(["meeting_id", "organisation_id"],
                             ["invitations.meeting_id", "invitations.organisation_id"],
                             ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(index=True)
    item_id: Mapped[int] = mapped_column(index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    delegate_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegates.id", ondelete="SET NULL"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="presenter")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[AgendaItem] = relationship(
        back_populates="speakers", foreign_keys=[item_id],
        primaryjoin="Speaker.item_id == AgendaItem.id")
    organisation: Mapped["Organisation"] = relationship("Organisation")
    delegate: Mapped["Delegate | None"] = relationship("Delegate")

    @property
    def display_name(self) -> str:
        who = self.organisation.acronym or self.organisation.name
        if self.delegate is not None:
            who = f"{self.delegate.display_name} ({who})"
        return f"{SPEAKER_ROLE_LABELS[self.role]}: {who}"


class AgendaVersion(Model):
    """A published version of the agenda: what was published, and what changed."""

    __tablename__ = "agenda_versions"
    __table_args__ = (
        UniqueConstraint("meeting_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The whole programme as published (sessions, items, speakers: names, not just ids).
    snapshot: Mapped[dict] = mapped_column(JSON)
    # The changes since the previous version (empty for the first), as listed to staff.
    changes: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped["Meeting"] = relationship("Meeting")
    published_by: Mapped["User | None"] = relationship("User")

    @property
    def display_name(self) -> str:
        return f"Agenda version {self.number}"


class Proposal(Model):
    """A topic an organisation proposes, or its request for the floor on an item."""

    __tablename__ = "agenda_proposals"
    __table_args__ = (
        CheckConstraint(f"kind IN {PROPOSAL_KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {PROPOSAL_STATUSES!r}", name="status_known"),
        CheckConstraint("status <> 'declined' OR decision_reason <> ''",
                        name="declined_with_reason"),
        CheckConstraint("title <> ''", name="title_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    preferred_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_sessions.id", ondelete="SET NULL"), index=True)
    # The item asked for (speak), then the item it became part of (accepted).
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True)
    delegate_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegates.id", ondelete="SET NULL"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_speakers.id", ondelete="SET NULL"), index=True)
    status: Mapped[ProposalStatus] = mapped_column(String(20), default=ProposalStatus.PENDING,
                                                   index=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped["Meeting"] = relationship("Meeting")
    invitation: Mapped["Invitation"] = relationship("Invitation")
    preferred_session: Mapped["AgendaSession | None"] = relationship("AgendaSession")
    item: Mapped["AgendaItem | None"] = relationship("AgendaItem", foreign_keys=[item_id])
    delegate: Mapped["Delegate | None"] = relationship("Delegate")
    speaker: Mapped["Speaker | None"] = relationship("Speaker")
    decided_by: Mapped["User | None"] = relationship("User")

    @property
    def display_name(self) -> str:
        return f"{PROPOSAL_KIND_LABELS[self.kind]}: {self.title}"
