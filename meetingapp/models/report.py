"""The report on the activities of organisations: sections per meeting and contributions."""

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

DEFAULT_REPORT_SECTIONS = (
    "Mandate and membership",
    "Counter-terrorism activities by area of resolution 1373 (2001)",
    "Best practices, codes and standards",
    "Assistance offered",
    "Contact point",
)
# The default titles are stored in English; shown translated while nobody renames them.
DEFAULT_SECTION_TITLES = {
    "Mandate and membership": _l("Mandate and membership"),
    "Counter-terrorism activities by area of resolution 1373 (2001)":
        _l("Counter-terrorism activities by area of resolution 1373 (2001)"),
    "Best practices, codes and standards": _l("Best practices, codes and standards"),
    "Assistance offered": _l("Assistance offered"),
    "Contact point": _l("Contact point"),
}


def section_title(title: str) -> str:
    """A section's title as the reader sees it: a default one in the page's language."""
    return DEFAULT_SECTION_TITLES.get(title, title)


class ContributionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"


# The stored strings, in order: the text of the CHECK constraint is built from them.
CONTRIBUTION_STATUSES = tuple(s.value for s in ContributionStatus)
CONTRIBUTION_STATUS_LABELS = {ContributionStatus.DRAFT: _l("Draft"),
                              ContributionStatus.SUBMITTED: _l("Submitted"),
                              ContributionStatus.ACCEPTED: _l("Accepted")}


class ReportSettings(Model):
    """A meeting's report settings: the deadline for contributions."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            unique=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped["Meeting"] = relationship("Meeting")

    @property
    def display_name(self) -> str:
        return "Report settings"


class ReportSection(Model):
    """A section each organisation writes for the meeting's report."""

    __tablename__ = "report_sections"
    __table_args__ = (CheckConstraint("title <> ''", name="title_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    guidance: Mapped[str] = mapped_column(Text, default="")

    @property
    def display_name(self) -> str:
        return self.title


class Contribution(Model):
    """An organisation's contribution to a meeting's report."""

    __tablename__ = "report_contributions"
    __table_args__ = (
        CheckConstraint(f"status IN {CONTRIBUTION_STATUSES!r}", name="status_known"),
        UniqueConstraint("meeting_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    status: Mapped[ContributionStatus] = mapped_column(String(20),
                                                       default=ContributionStatus.DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped["Meeting"] = relationship("Meeting")
    organisation: Mapped["Organisation"] = relationship("Organisation")
    answers: Mapped[list["ContributionAnswer"]] = relationship(
        back_populates="contribution", cascade="all, delete-orphan")

    @property
    def display_name(self) -> str:
        return f"Contribution of {self.organisation.display_name}"

    @property
    def status_label(self) -> str:
        return str(CONTRIBUTION_STATUS_LABELS[self.status])

    def text_for(self, section_id: int) -> str:
        return next((a.text for a in self.answers if a.section_id == section_id), "")


class ContributionAnswer(Model):
    """The text of one section in a contribution (Markdown)."""

    __tablename__ = "report_answers"
    __table_args__ = (UniqueConstraint("contribution_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("report_contributions.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("report_sections.id", ondelete="CASCADE"),
                                            index=True)
    text: Mapped[str] = mapped_column(Text, default="")

    contribution: Mapped[Contribution] = relationship(back_populates="answers")
    section: Mapped["ReportSection"] = relationship(ReportSection)
