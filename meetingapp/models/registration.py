"""Delegates registered through an accepted invitation, and the delegation's nomination letter."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ..names import NAME_ORDERS, addressed_name, person_name
from .languages import LANGUAGES
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .invitation import Invitation
    from .meeting import Meeting
    from .user import User

DELEGATE_ROLES = ("head", "delegate", "adviser", "observer")
DELEGATE_ROLE_LABELS = {
    "head": _l("Head of delegation"),
    "delegate": _l("Delegate"),
    "adviser": _l("Adviser"),
    "observer": _l("Observer"),
}
# Plural headings of the list of participants, in the order the roles are listed.
DELEGATE_ROLE_HEADINGS = {
    "head": _l("Head of delegation"),
    "delegate": _l("Delegates"),
    "adviser": _l("Advisers"),
    "observer": _l("Observers"),
}


class RegistrationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# The stored strings, in order: the text of the CHECK constraint is built from them.
REGISTRATION_STATUSES = tuple(s.value for s in RegistrationStatus)
REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.APPROVED: _l("Approved"),
    RegistrationStatus.REJECTED: _l("Not approved"),
    RegistrationStatus.WITHDRAWN: _l("Withdrawn"),
}
# Registrations that hold a place in the delegation (count against the quota).
ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)
LANGUAGE_LABELS = {
    "ar": _l("Arabic — العربية"),
    "zh": _l("Chinese — 中文"),
    "en": _l("English"),
    "fr": _l("French — Français"),
    "ru": _l("Russian — Русский"),
    "es": _l("Spanish — Español"),
}
ATTENDANCE_MODES = ("in_person", "online")
ATTENDANCE_LABELS = {"in_person": _l("In person"), "online": _l("Online")}

_ACTIVE_SQL = "status IN ('pending', 'approved')"


class Delegate(Model):
    """One person registered in an organisation's delegation to a meeting."""

    __tablename__ = "delegates"
    __table_args__ = (
        CheckConstraint(f"role IN {DELEGATE_ROLES!r}", name="role_known"),
        CheckConstraint(f"status IN {REGISTRATION_STATUSES!r}", name="status_known"),
        CheckConstraint(f"language IN {LANGUAGES!r}", name="language_known"),
        CheckConstraint(f"attendance IN {ATTENDANCE_MODES!r}", name="attendance_known"),
        CheckConstraint(f"name_order IN {NAME_ORDERS!r}", name="name_order_known"),
        CheckConstraint("email_key <> ''", name="email_key_not_empty"),
        # One registration per e-mail address per meeting. A withdrawn one
        # frees the address, so that the person can be registered again.
        Index(
            "uq_delegates_email_per_meeting",
            "meeting_id",
            "email_key",
            unique=True,
            sqlite_where=db.text("status <> 'withdrawn'"),
            postgresql_where=db.text("status <> 'withdrawn'"),
        ),
        # At most one active head of delegation per invitation.
        Index(
            "uq_delegates_one_head",
            "invitation_id",
            unique=True,
            sqlite_where=db.text(f"role = 'head' AND {_ACTIVE_SQL}"),
            postgresql_where=db.text(f"role = 'head' AND {_ACTIVE_SQL}"),
        ),
        # The staff list's order (list-of-participants order): a page is read from the
        # index instead of sorting every registration of the meeting.
        Index("ix_delegates_list_order", "meeting_id", "kind_rank", "organisation_key",
              "role_rank"),
        # Counts by status, and the filtered list's count, read from the index alone.
        Index("ix_delegates_meeting_status", "meeting_id", "status", "kind_rank", "role_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always the invitation's meeting; kept here for the per-meeting e-mail rule.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(50), default="")  # H.E., Mr., Ms., Dr.
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200))
    # given_first (Anne-Sophie Lefèvre) or family_first (李小龙, Li Xiaolong); when not
    # chosen, from the script of the name (meetingapp/names.py).
    name_order: Mapped[str] = mapped_column(String(12))
    position: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254))
    # The address lower-cased: "A@X.org" and "a@x.org" are one person.
    email_key: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(50), default="")
    nationality: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    language: Mapped[str] = mapped_column(String(2))
    attendance: Mapped[str] = mapped_column(String(20))
    needs: Mapped[str] = mapped_column(Text, default="")
    consent_to_publish: Mapped[bool] = mapped_column(default=False)
    status: Mapped[RegistrationStatus] = mapped_column(
        String(20), default=RegistrationStatus.PENDING, index=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # SHA-256 of the delegate's own page token (not the invitation's); never the token.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sort keys of the list-of-participants order, copied so that one index serves it:
    # the organisation's kind rank and folded name, and the role's rank. Kept up to date
    # by the listeners in meetingapp/models/ordering.py.
    kind_rank: Mapped[int] = mapped_column(SmallInteger)
    organisation_key: Mapped[str] = mapped_column(String(300))
    role_rank: Mapped[int] = mapped_column(SmallInteger)
    # The family name, then the given name, folded (Chinese characters by their reading):
    # lists sort by it, in every script. Kept up to date by models/ordering.py too.
    name_key: Mapped[str] = mapped_column(String(400))

    meeting: Mapped["Meeting"] = relationship("Meeting")
    invitation: Mapped["Invitation"] = relationship("Invitation")
    decided_by: Mapped["User | None"] = relationship("User")

    @property
    def full_name(self) -> str:
        """Given and family name in the person's order (李小龙, Li Xiaolong, Anne-Sophie
        Lefèvre), without form of address."""
        return person_name(self.given_name, self.family_name, self.name_order)

    @property
    def display_name(self) -> str:
        """The name with its form of address in the language being rendered (Mr. ...,
        李小龙先生), as pages and e-mails show it."""
        return addressed_name(self.title, self.given_name, self.family_name, self.name_order)

    @property
    def list_name(self) -> str:
        """The name in the list-of-participants style: the family name in capitals
        (Ms. Anne-Sophie LEFÈVRE; 李小龙女士)."""
        return addressed_name(self.title, self.given_name, self.family_name, self.name_order,
                              list_style=True)

    @property
    def active(self) -> bool:
        """Whether the registration holds a place in the delegation."""
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Delegate {self.id} {self.status} {self.email_key}>"


class NominationLetter(Model):
    """The delegation's nomination letter (a PDF), kept in the database."""

    __tablename__ = "nomination_letters"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Loaded only when the file itself is asked for, not when letters are listed.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped["Invitation"] = relationship("Invitation")

    @property
    def display_name(self) -> str:
        """How the audit log names the letter."""
        return f"Nomination letter {self.filename}"
