"""Calendar feed tokens: the fourth kind of link secret (a delegate's or a staff user's feed)."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .registration import Delegate
    from .user import User


class CalendarFeed(Model):
    """The subscription feed of one delegate or one staff user; only the token's hash is kept."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("(delegate_id IS NULL) <> (user_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegate_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegates.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # SHA-256 of the feed token; None while the feed is revoked.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegate: Mapped["Delegate | None"] = relationship("Delegate")
    user: Mapped["User | None"] = relationship("User")

    @property
    def active(self) -> bool:
        return self.token_hash is not None

    @property
    def display_name(self) -> str:
        """How the audit log names the feed."""
        if self.delegate is not None:
            owner = self.delegate.display_name
        else:
            assert self.user is not None  # one_owner: a feed has a delegate or a user
            owner = self.user.email
        return f"Calendar feed of {owner}"
