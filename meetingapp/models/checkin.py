"""Badges and the check-in desk: each approved delegate's check-in code, the
check-ins themselves (the attendance list) and every scan attempt."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .meeting import Meeting
    from .registration import Delegate
    from .user import User

# What the desk answers to one attempt.
CHECKIN_RESULTS = ("checked_in", "already_checked_in", "unknown_code", "not_approved",
                   "withdrawn", "other_meeting")
# How the desk got the code: a handheld scanner (or typing), the camera, a search by name.
CHECKIN_METHODS = ("scanner", "camera", "search")


class CheckinCode(Model):
    """The secret on a delegate's badge QR code: one per delegate, re-issuable by staff."""

    # The code itself is never stored. ``seed`` is random; the code is derived from
    # it with the check-in key (HMAC), so a badge can be printed again without
    # keeping the code; ``code_hash`` (SHA-256 of the code) is what a scan looks up.
    __tablename__ = "checkin_codes"
    __table_args__ = (
        CheckConstraint("generation >= 1", name="generation_positive"),
        CheckConstraint("length(seed) = 32", name="seed_length"),
        CheckConstraint("length(code_hash) = 64", name="code_hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegate_id: Mapped[int] = mapped_column(
        ForeignKey("delegates.id", ondelete="CASCADE"), unique=True)
    seed: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # 1 for the first code; raised each time staff re-issue it (printed on the badge).
    generation: Mapped[int] = mapped_column(default=1)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)

    delegate: Mapped["Delegate"] = relationship("Delegate")
    issued_by: Mapped["User | None"] = relationship("User")

    def __repr__(self) -> str:
        return f"<CheckinCode delegate={self.delegate_id} generation={self.generation}>"


class CheckIn(Model):
    """A delegate's arrival at the meeting: at most one in force per delegate."""

    __tablename__ = "checkins"
    __table_args__ = (
        # Two desks scanning one badge at the same moment make one check-in.
        Index("uq_checkins_one_per_delegate", "delegate_id", unique=True,
              sqlite_where=db.text("undone_at IS NULL"),
              postgresql_where=db.text("undone_at IS NULL")),
        CheckConstraint("(undone_at IS NULL) = (undo_reason IS NULL)", name="undo_has_reason"),
        CheckConstraint(f"method IN {CHECKIN_METHODS!r}", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"),
                                             index=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    # The desk user's e-mail, kept if the account goes.
    actor: Mapped[str] = mapped_column(String(254), default="")
    device: Mapped[str] = mapped_column(String(60), default="")
    method: Mapped[str] = mapped_column(String(10), default="scanner")
    # Set when staff undo the check-in (a mistaken scan); the row stays as history.
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    undo_reason: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped["Meeting"] = relationship("Meeting")
    delegate: Mapped["Delegate"] = relationship("Delegate")
    user: Mapped["User | None"] = relationship("User", foreign_keys=[user_id])
    undone_by: Mapped["User | None"] = relationship("User", foreign_keys=[undone_by_id])

    @property
    def display_name(self) -> str:
        """How the audit log names the check-in."""
        return f"Check-in of {self.delegate.display_name}" if self.delegate else "Check-in"


class CheckinAttempt(Model):
    """One scan or search at a desk, whatever its answer: the desk's log."""

    __tablename__ = "checkin_attempts"
    __table_args__ = (
        CheckConstraint(f"result IN {CHECKIN_RESULTS!r}", name="result_known"),
        CheckConstraint(f"method IN {CHECKIN_METHODS!r}", name="method_known"),
        Index("ix_checkin_attempts_meeting_at", "meeting_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The desk's meeting (a badge of another meeting is logged here too).
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    actor: Mapped[str] = mapped_column(String(254), default="")
    device: Mapped[str] = mapped_column(String(60), default="")
    method: Mapped[str] = mapped_column(String(10), default="scanner")
    result: Mapped[str] = mapped_column(String(20))
    # Whose badge it was (None for an unknown code); never the code itself.
    delegate_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegates.id", ondelete="SET NULL"), index=True)
    # The check-in made, or the one found already in force.
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkins.id", ondelete="SET NULL"), index=True)

    meeting: Mapped["Meeting"] = relationship("Meeting")
    user: Mapped["User | None"] = relationship("User")
    delegate: Mapped["Delegate | None"] = relationship("Delegate")
    checkin: Mapped["CheckIn | None"] = relationship("CheckIn")
