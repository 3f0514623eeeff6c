"""Activity reports: sections, contributions (draft, submit, reopen, accept), reminders."""

from datetime import datetime
from typing import Literal, overload

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..extensions import db
from ..i18n import in_language
from ..mail.services import queue_email
from ..models import ContributionStatus, Invitation, InvitationStatus, Meeting, Organisation, utcnow
from ..models.report import (
    DEFAULT_REPORT_SECTIONS,
    Contribution,
    ContributionAnswer,
    ReportSection,
    ReportSettings,
)


class ReportError(ValueError):
    """The report operation cannot be done; the message says why."""


def sections_of(meeting: Meeting, *, create_defaults: bool = True) -> list[ReportSection]:
    """The meeting's sections in order; the default ones are added on first use (flush)."""
    sections = db.session.scalars(select(ReportSection).where(
        ReportSection.meeting_id == meeting.id).order_by(ReportSection.position,
                                                         ReportSection.id)).all()
    if not sections and create_defaults:
        sections = [ReportSection(meeting_id=meeting.id, position=i, title=title)
                    for i, title in enumerate(DEFAULT_REPORT_SECTIONS)]
        db.session.add_all(sections)
        db.session.flush()
    return list(sections)


def add_section(meeting: Meeting, title: str, guidance: str = "") -> ReportSection:
    """Add a section at the end (audited)."""
    title = title.strip()
    if not title:
        raise ReportError(_("A section needs a title."))
    position = len(sections_of(meeting))
    section = ReportSection(meeting_id=meeting.id, position=position, title=title,
                            guidance=guidance.strip())
    db.session.add(section)
    db.session.flush()
    record("create", section, meeting=meeting)
    return section


def remove_section(section: ReportSection) -> None:
    """Remove a section and its texts (audited)."""
    record("delete", section, meeting=db.session.get(Meeting, section.meeting_id))
    db.session.delete(section)
    db.session.flush()


def settings_of(meeting: Meeting) -> ReportSettings:
    """The meeting's report settings (created on first use, flush)."""
    settings = db.session.scalar(select(ReportSettings).where(
        ReportSettings.meeting_id == meeting.id))
    if settings is None:
        settings = ReportSettings(meeting_id=meeting.id)
        db.session.add(settings)
        db.session.flush()
    return settings


def set_deadline(meeting: Meeting, deadline: datetime | None) -> None:
    """Set the deadline for contributions (UTC, audited)."""
    settings = settings_of(meeting)
    old = settings.deadline_at
    settings.deadline_at = deadline
    db.session.flush()
    record("report_deadline", settings, meeting=meeting,
           changes={"deadline_at": [old.isoformat() if old else None,
                                    deadline.isoformat() if deadline else None]})


def deadline_of(meeting: Meeting) -> datetime | None:
    """The deadline for contributions, or None (reads only: safe on any page view)."""
    return db.session.scalar(select(ReportSettings.deadline_at).where(
        ReportSettings.meeting_id == meeting.id))


_UNREAD = object()


def deadline_passed(meeting: Meeting, deadline=_UNREAD) -> bool:
    """Whether the contributions' deadline has passed (``deadline``: if already read)."""
    if deadline is _UNREAD:
        deadline = deadline_of(meeting)
    return deadline is not None and utcnow() >= deadline


@overload
def contribution_of(meeting: Meeting, organisation: Organisation,
                    *, create: Literal[True]) -> Contribution: ...
@overload
def contribution_of(meeting: Meeting, organisation: Organisation,
                    *, create: bool = False) -> Contribution | None: ...
def contribution_of(meeting: Meeting, organisation: Organisation,
                    *, create: bool = False) -> Contribution | None:
    """The organisation's contribution to the meeting's report (created if asked, flush)."""
    contribution = db.session.scalar(select(Contribution).where(
        Contribution.meeting_id == meeting.id, Contribution.organisation_id == organisation.id))
    if contribution is None and create:
        contribution = Contribution(meeting_id=meeting.id, organisation_id=organisation.id,
                                    status=ContributionStatus.DRAFT)
        db.session.add(contribution)
        db.session.flush()
    return contribution


def why_not_editable(contribution: Contribution | None, meeting: Meeting,
                     deadline=_UNREAD) -> str | None:
    """Why the representative cannot change the contribution now, or None.

    ``deadline``: the contributions' deadline if the caller has read it already.
    """
    if contribution is not None and contribution.status == ContributionStatus.ACCEPTED:
        return _("Your contribution has been accepted by the secretariat.")
    if contribution is not None and contribution.status == ContributionStatus.SUBMITTED:
        return _("Your contribution is submitted. Ask the secretariat to reopen it if you need "
                 "to change it.")
    if deadline_passed(meeting, deadline) and (contribution is None
                                               or contribution.reopened_at is None):
        return _("The deadline for contributions has passed.")
    return None


def save_contribution(meeting: Meeting, organisation: Organisation, texts: dict[int, str], *,
                      submit: bool, actor: str) -> Contribution:
    """Save the representative's texts as a draft, or submit them (audited)."""
    contribution = contribution_of(meeting, organisation, create=True)
    refused = why_not_editable(contribution, meeting)
    if refused:
        raise ReportError(refused)
    by_section = {a.section_id: a for a in contribution.answers}
    for section in sections_of(meeting):
        text = (texts.get(section.id) or "").strip()
        answer = by_section.get(section.id)
        if answer is None:
            contribution.answers.append(ContributionAnswer(section_id=section.id, text=text))
        else:
            answer.text = text
    if submit:
        if not any((t or "").strip() for t in texts.values()):
            raise ReportError(_("Write at least one section before submitting."))
        contribution.status = ContributionStatus.SUBMITTED
        contribution.submitted_at = utcnow()
    contribution.updated_at = utcnow()
    db.session.flush()
    record("submit_contribution" if submit else "save_contribution", contribution,
           meeting=meeting, actor=actor)
    return contribution


def reopen(contribution: Contribution) -> None:
    """Reopen a submitted or accepted contribution for changes, even after the deadline."""
    if contribution.status == ContributionStatus.DRAFT and contribution.reopened_at:
        raise ReportError(_("This contribution is already open."))
    old = contribution.status
    contribution.status = ContributionStatus.DRAFT
    contribution.reopened_at = utcnow()
    contribution.accepted_at = None
    db.session.flush()
    record("reopen_contribution", contribution, meeting=contribution.meeting,
           changes={"status": [old, ContributionStatus.DRAFT]})


def accept(contribution: Contribution) -> None:
    """Accept a submitted contribution for the compiled report (audited)."""
    if contribution.status != ContributionStatus.SUBMITTED:
        raise ReportError(_("Only a submitted contribution can be accepted."))
    contribution.status = ContributionStatus.ACCEPTED
    contribution.accepted_at = utcnow()
    db.session.flush()
    record("accept_contribution", contribution, meeting=contribution.meeting,
           changes={"status": [ContributionStatus.SUBMITTED, ContributionStatus.ACCEPTED]})


def accepted_invitations(meeting: Meeting) -> list[Invitation]:
    """Invitations accepted for the meeting: the organisations expected to contribute."""
    return list(db.session.scalars(select(Invitation).where(
        Invitation.meeting_id == meeting.id, Invitation.status == InvitationStatus.ACCEPTED)
        .options(selectinload(Invitation.organisation))).all())


def overview(meeting: Meeting) -> list[tuple[Invitation, Contribution | None]]:
    """Each accepted invitation with its organisation's contribution, by organisation name."""
    contributions = {c.organisation_id: c for c in db.session.scalars(select(Contribution).where(
        Contribution.meeting_id == meeting.id)).all()}
    rows = [(inv, contributions.get(inv.organisation_id))
            for inv in accepted_invitations(meeting)]
    return sorted(rows, key=lambda r: r[0].organisation.name.casefold())


def remind_missing(meeting: Meeting) -> int:
    """E-mail (outbox) every organisation that has not submitted; returns how many (audited)."""
    settings = settings_of(meeting)
    count = 0
    for invitation, contribution in overview(meeting):
        if contribution is not None and contribution.status != ContributionStatus.DRAFT:
            continue
        with in_language(invitation.organisation.language):
            queue_email("report_reminder", invitation.email,
                        _("Your contribution to the report — %(meeting)s", meeting=meeting.title),
                        context={"meeting": meeting, "invitation": invitation,
                                 "deadline": settings.deadline_at},
                        cc=invitation.cc_list, meeting=meeting, category="report_reminder",
                        related=invitation)
        if contribution is not None:
            contribution.reminder_count += 1
        count += 1
    db.session.flush()
    record("remind_contributions", meeting=meeting, object_type="meetings",
           object_id=meeting.id, label=meeting.title, changes={"reminded": count})
    return count


def accepted_contributions(meeting: Meeting) -> list[Contribution]:
    """Accepted contributions, by kind of organisation then name."""
    from ..models.organisation import ORGANISATION_KINDS

    rows = db.session.scalars(select(Contribution).where(
        Contribution.meeting_id == meeting.id,
        Contribution.status == ContributionStatus.ACCEPTED)).all()
    return sorted(rows, key=lambda c: (ORGANISATION_KINDS.index(c.organisation.kind),
                                       c.organisation.name.casefold()))
