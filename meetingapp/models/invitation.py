"""Invitations of organisations to a meeting, and the per-meeting message texts."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .meeting import Meeting
    from .organisation import Organisation


class InvitationStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    VIEWED = "viewed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


# The stored strings, in order: the text of the CHECK constraint is built from them.
INVITATION_STATUSES = tuple(s.value for s in InvitationStatus)
INVITATION_STATUS_LABELS = {
    InvitationStatus.DRAFT: _l("Draft (not sent)"),
    InvitationStatus.SENT: _l("Sent"),
    InvitationStatus.VIEWED: _l("Viewed"),
    InvitationStatus.ACCEPTED: _l("Accepted"),
    InvitationStatus.DECLINED: _l("Declined"),
    InvitationStatus.REVOKED: _l("Revoked"),
}
# Invitations still waiting for an answer: reminders go to these.
UNANSWERED = (InvitationStatus.SENT, InvitationStatus.VIEWED)
TEMPLATE_KINDS = ("invitation", "reminder")


class Invitation(Model):
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
    status: Mapped[InvitationStatus] = mapped_column(String(20), default=InvitationStatus.DRAFT,
                                                     index=True)
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

    meeting: Mapped["Meeting"] = relationship("Meeting")
    organisation: Mapped["Organisation"] = relationship("Organisation")

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
        return self.status in (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED)


class MessageTemplate(Model):
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
