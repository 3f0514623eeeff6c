"""The directory of organisations and their contacts."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ..names import with_title
from ..text import fold
from .languages import LANGUAGES
from .types import UTCDateTime, utcnow

ORGANISATION_KINDS = ("international", "regional", "sub-regional")
KIND_LABELS = {
    "international": _l("International"),
    "regional": _l("Regional"),
    "sub-regional": _l("Sub-regional"),
}


class Organisation(Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(f"kind IN {ORGANISATION_KINDS!r}", name="kind_known"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint(f"language IN {LANGUAGES!r}", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # Case- and accent-folded name: unique, so "NATO" and "nato" cannot both exist.
    name_key: Mapped[str] = mapped_column(String(300), unique=True)
    acronym: Mapped[str] = mapped_column(String(50), default="")
    kind: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(100), default="")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    website: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    # The language the secretariat writes to it in: invitations, reminders, answers.
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    # Folded name and acronym, searched with LIKE on every database.
    search_key: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped["Organisation | None"] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list["Organisation"]] = relationship(
        back_populates="parent", order_by="Organisation.name"
    )
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="(Contact.is_focal_point.desc(), Contact.name)",
    )

    def refresh_keys(self) -> None:
        """Recompute the folded keys after the name or acronym changed."""
        self.name_key = fold(self.name)
        self.search_key = fold(f"{self.name} {self.acronym or ''}")

    @property
    def focal_point(self) -> "Contact | None":
        return next((c for c in self.contacts if c.is_focal_point), None)

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def __repr__(self) -> str:
        return f"<Organisation {self.acronym or self.name}>"


class Contact(Model):
    __tablename__ = "contacts"
    __table_args__ = (
        # At most one focal point per organisation, enforced by the database.
        Index(
            "uq_contacts_one_focal_point",
            "organisation_id",
            unique=True,
            sqlite_where=db.text("is_focal_point"),
            postgresql_where=db.text("is_focal_point"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(50), default="")  # H.E., Mr., Ms., Dr.
    position: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(50), default="")
    is_focal_point: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")

    @property
    def display_name(self) -> str:
        """The name with its form of address in the language being rendered (李小龙先生)."""
        return with_title(self.title, self.name)
