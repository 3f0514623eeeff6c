"""Discussion outcomes of a meeting, linked to organisations, with follow-up history."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .agenda import AgendaItem
    from .meeting import Meeting
    from .organisation import Organisation

OUTCOME_KINDS = ("summary", "conclusion", "recommendation", "commitment", "action")
OUTCOME_KIND_LABELS = {"summary": _l("Summary"), "conclusion": _l("Conclusion"),
                       "recommendation": _l("Recommendation"), "commitment": _l("Commitment"),
                       "action": _l("Action item")}
FOLLOWED_KINDS = ("commitment", "action")


class OutcomeStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


# The stored strings, in order: the text of the CHECK constraints is built from them.
OUTCOME_STATUSES = tuple(s.value for s in OutcomeStatus)
OUTCOME_STATUS_LABELS = {OutcomeStatus.OPEN: _l("Open"),
                         OutcomeStatus.IN_PROGRESS: _l("In progress"),
                         OutcomeStatus.DONE: _l("Done"), OutcomeStatus.DROPPED: _l("Dropped")}
NOTE_SOURCES = ("staff", "representative")
NOTE_REVIEWS = ("pending", "accepted", "rejected")

outcome_organisations = Table(
    "outcome_organisations", db.metadata,
    Column("outcome_id", ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)


class Outcome(Model):
    """A summary, conclusion, recommendation, commitment or action item of a meeting."""

    __tablename__ = "outcomes"
    __table_args__ = (
        CheckConstraint(f"kind IN {OUTCOME_KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {OUTCOME_STATUSES!r}", name="status_known"),
        CheckConstraint("text <> ''", name="text_not_empty"),
        # Only commitments and action items have an owner and a due date.
        CheckConstraint(f"kind IN {FOLLOWED_KINDS!r} OR (owner_id IS NULL AND due_on IS NULL)",
                        name="followed_kinds_only"),
        # The agenda item, if any, is one of the same meeting.
        ForeignKeyConstraint(["agenda_item_id", "meeting_id"],
                             ["agenda_items.id", "agenda_items.meeting_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)  # Markdown
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    due_note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[OutcomeStatus] = mapped_column(String(20), default=OutcomeStatus.OPEN)
    # The commitment of an earlier meeting this one carries over.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("outcomes.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped["Meeting"] = relationship("Meeting")
    agenda_item: Mapped["AgendaItem | None"] = relationship(
        "AgendaItem", foreign_keys=[agenda_item_id],
        primaryjoin="Outcome.agenda_item_id == AgendaItem.id")
    owner: Mapped["Organisation | None"] = relationship("Organisation", foreign_keys=[owner_id])
    organisations: Mapped[list["Organisation"]] = relationship(
        "Organisation", secondary=outcome_organisations, order_by="Organisation.name")
    carried_from: Mapped["Outcome | None"] = relationship("Outcome", remote_side=[id])
    notes: Mapped[list["OutcomeNote"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan",
        order_by="(OutcomeNote.created_at, OutcomeNote.id)")

    @property
    def followed(self) -> bool:
        return self.kind in FOLLOWED_KINDS

    @property
    def kind_label(self) -> str:
        return str(OUTCOME_KIND_LABELS[self.kind])

    @property
    def status_label(self) -> str:
        return str(OUTCOME_STATUS_LABELS[self.status])

    @property
    def display_name(self) -> str:
        first = (self.text or "").strip().splitlines()[0] if self.text.strip() else ""
        return f"{self.kind_label}: {first[:80]}"

    def is_open(self) -> bool:
        return self.followed and self.status in (OutcomeStatus.OPEN, OutcomeStatus.IN_PROGRESS)

    def is_overdue(self, today: date) -> bool:
        return self.is_open() and self.due_on is not None and self.due_on < today


class OutcomeNote(Model):
    """A dated history entry (status change and/or comment); representatives' await review."""

    __tablename__ = "outcome_notes"
    __table_args__ = (
        CheckConstraint(f"source IN {NOTE_SOURCES!r}", name="source_known"),
        CheckConstraint(f"review IN {NOTE_REVIEWS!r}", name="review_known"),
        CheckConstraint(f"status_to IS NULL OR status_to IN {OUTCOME_STATUSES!r}",
                        name="status_to_known"),
        CheckConstraint("source = 'representative' OR review = 'accepted'",
                        name="staff_notes_accepted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"),
                                            index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="staff")
    review: Mapped[str] = mapped_column(String(20), default="accepted")
    status_from: Mapped[OutcomeStatus | None] = mapped_column(String(20))
    status_to: Mapped[OutcomeStatus | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    outcome: Mapped[Outcome] = relationship(back_populates="notes")
    organisation: Mapped["Organisation | None"] = relationship("Organisation")

    @property
    def display_name(self) -> str:
        return f"Note on outcome {self.outcome_id}"
