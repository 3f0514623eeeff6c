"""Invitations of organisations to a meeting, and the per-meeting message texts."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

INVITATION_STATUSES = ("draft", "sent", "viewed", "accepted", "declined", "revoked")
INVITATION_STATUS_LABELS = {
    "draft": _l("Draft (not sent)"),
    "sent": _l("Sent"),
    "viewed": _l("Viewed"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "revoked": _l("Revoked"),
}
# Invitations still waiting for an answer: reminders go to these.
UNANSWERED = ("sent", "viewed")
TEMPLATE_KINDS = ("invitation", "reminder")


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "organisation_id"),
        CheckConstraint(f"status IN {INVITATION_STATUSES!r}", name="status_known"),
        CheckConstraint("quota_override IS NULL OR quota_override BETWEEN 1 AND 100",
                        name="quota_override_range"),
        CheckConstraint("reminder_count >= 0", name="reminder_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    email: Mapped[str] = mapped_column(String(254))
    cc: Mapped[str] = mapped_column(String(1000), default="")  # comma-separated
    quota_override: Mapped[int | None]
    # SHA-256 of the personal link's random token; the token itself is never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    reminder_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship("Meeting")
    organisation = relationship("Organisation")

    @property
    def quota(self) -> int:
        """Delegates allowed: the override, else the meeting's default."""
        if self.quota_override is not None:
            return self.quota_override
        return self.meeting.delegates_per_organisation

    @property
    def cc_list(self) -> list[str]:
        return [a.strip() for a in self.cc.split(",") if a.strip()]

    @property
    def display_name(self) -> str:
        return f"Invitation of {self.organisation.display_name}"

    @property
    def answered(self) -> bool:
        return self.status in ("accepted", "declined")


class MessageTemplate(db.Model):
    """A meeting's own wording of an e-mail (subject and body with placeholders)."""

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("meeting_id", "kind"),
        CheckConstraint(f"kind IN {TEMPLATE_KINDS!r}", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
