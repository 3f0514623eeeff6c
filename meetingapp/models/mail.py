"""The e-mail outbox: every message, written with the change that caused it."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .meeting import Meeting


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


# The stored strings, in order: the text of the CHECK constraint is built from them.
OUTBOX_STATUSES = tuple(s.value for s in OutboxStatus)
OUTBOX_STATUS_LABELS = {
    OutboxStatus.QUEUED: _l("Queued"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
}


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUSES!r}", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The delivery query: queued and due, or a stale "sending" claim.
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # "Last e-mail status" of an invitation, a registration, ...
        Index("ix_outbox_messages_related", "related_type", "related_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Generated at queue time and reused on every retry, so that a message
    # delivered twice (a worker lost after sending) is one message to clients.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # Address lists as header text ('"Name, Title" <a@b>, c@d'), unicode kept.
    to_addrs: Mapped[str] = mapped_column(Text)
    cc_addrs: Mapped[str] = mapped_column(Text, default="")
    reply_to: Mapped[str] = mapped_column(String(500), default="")
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)

    status: Mapped[OutboxStatus] = mapped_column(String(10), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a worker took the message ("sending"); old claims are taken again.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str] = mapped_column(String(50), default="")
    related_type: Mapped[str | None] = mapped_column(String(50))
    related_id: Mapped[int | None]

    meeting: Mapped["Meeting | None"] = relationship("Meeting")
    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        cascade="all, delete-orphan", order_by="OutboxAttachment.id")

    @property
    def display_name(self) -> str:
        """How the audit log names the message."""
        return f"{self.subject} → {self.to_addrs}"[:300]

    @property
    def can_retry(self) -> bool:
        """Staff may make it due now: it is waiting or has failed."""
        return self.status in (OutboxStatus.QUEUED, OutboxStatus.FAILED)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} {self.subject!r}>"


class OutboxAttachment(Model):
    """A file attached to an outbox message (a calendar invitation, ...)."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    # "text/calendar; method=REQUEST; charset=utf-8": type and parameters.
    mimetype: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
