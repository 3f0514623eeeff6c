"""The invitation link's commitments (progress reports) and activity report; ids checked."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..extensions import db
from ..formtools import ConfirmForm
from ..models import InvitationStatus
from ..models.outcome import FOLLOWED_KINDS, OUTCOME_STATUS_LABELS, Outcome, outcome_organisations
from ..models.report import DEFAULT_REPORT_SECTIONS, ReportSection
from ..outcomes.forms import ProgressForm
from ..outcomes.services import OutcomeError, meeting_today, report_progress
from ..reports.services import (
    ReportError,
    contribution_of,
    deadline_of,
    save_contribution,
    sections_of,
    why_not_editable,
)
from . import add_portal_section, bp
from .routes import _open
from .services import actor_label


def own_commitments(organisation) -> list[Outcome]:
    """Commitments and action items owned by or concerning ``organisation``, newest first."""
    linked = select(outcome_organisations.c.outcome_id).where(
        outcome_organisations.c.organisation_id == organisation.id)
    return list(db.session.scalars(select(Outcome).where(
        Outcome.kind.in_(FOLLOWED_KINDS),
        or_(Outcome.owner_id == organisation.id, Outcome.id.in_(linked)))
        .order_by(Outcome.created_at.desc(), Outcome.id.desc())).all())


def outcomes_section(invitation) -> dict:
    """The organisation's commitments as the invitation page shows them."""
    if invitation.status != InvitationStatus.ACCEPTED:
        return {"outcomes": []}
    return {"outcomes": own_commitments(invitation.organisation),
            "today": meeting_today(invitation.meeting), "form": ProgressForm(),
            "statuses": OUTCOME_STATUS_LABELS}


def report_section(invitation) -> dict:
    """The contribution form as the invitation page shows it."""
    if invitation.status != InvitationStatus.ACCEPTED:
        return {"active": False}
    meeting = invitation.meeting
    contribution = contribution_of(meeting, invitation.organisation)
    sections = sections_of(meeting, create_defaults=False) or [
        ReportSection(title=title, guidance="") for title in DEFAULT_REPORT_SECTIONS]
    deadline = deadline_of(meeting)
    return {"active": True, "sections": sections,
            "contribution": contribution, "deadline": deadline,
            "refusal": why_not_editable(contribution, meeting, deadline), "form": ConfirmForm()}


add_portal_section("portal/_outcomes.html", outcomes_section)
add_portal_section("portal/_report.html", report_section)


def _accepted(token: str):
    invitation, error = _open(token)
    if error:
        return None, error
    if invitation.status != InvitationStatus.ACCEPTED:
        abort(404)
    return invitation, None


@bp.route("/<token>/commitments/<int:outcome_id>/progress", methods=["POST"])
def commitment_progress(token: str, outcome_id: int):
    """Report progress on one of the organisation's commitments (for staff to accept)."""
    invitation, error = _accepted(token)
    if error:
        return error
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None or outcome not in own_commitments(invitation.organisation):
        abort(404)
    form = ProgressForm()
    if form.validate_on_submit():
        try:
            report_progress(outcome, invitation.organisation, form.comment.data,
                            form.status.data or None, actor=actor_label(invitation))
        except OutcomeError as refused:
            flash(str(refused), "danger")
        else:
            db.session.commit()
            flash(_("Thank you: your progress report goes to the secretariat for acceptance."),
                  "success")
    else:
        flash(_("Describe the progress made."), "danger")
    return redirect(url_for("portal.invitation", token=token, _anchor="commitments"))


def _posted_texts(meeting) -> dict[int, str] | None:
    """The texts posted, by section id; None if the form's sections are not the meeting's.

    Saved sections are named ``section-<id>``; before any exists, the page offers
    the default sections as ``section-new-<n>``, created here in that order.
    """
    posted = {k: v[:50000] for k, v in request.form.items() if k.startswith("section-")}
    sections = sections_of(meeting, create_defaults=False)
    if not sections and all(k.startswith("section-new-") for k in posted):
        sections = sections_of(meeting)  # the defaults, in the order the page showed them
        return {s.id: posted.get(f"section-new-{i}", "") for i, s in enumerate(sections)}
    names = {f"section-{s.id}": s.id for s in sections}
    if not set(posted) <= set(names):
        return None
    return {section_id: posted.get(name, "") for name, section_id in names.items()}


@bp.route("/<token>/report", methods=["POST"])
def save_report(token: str):
    """Save the contribution as a draft, or submit it."""
    invitation, error = _accepted(token)
    if error:
        return error
    if not ConfirmForm().validate_on_submit():
        abort(400)
    meeting = invitation.meeting
    texts = _posted_texts(meeting)
    if texts is None:
        flash(_("The secretariat changed the sections of the report while you were writing, so "
                "nothing was saved. Go back in your browser to copy your text, then reload this "
                "page and paste it under the right headings."), "danger")
        return redirect(url_for("portal.invitation", token=token, _anchor="report"))
    submit = request.form.get("action") == "submit"
    try:
        save_contribution(meeting, invitation.organisation, texts, submit=submit,
                          actor=actor_label(invitation))
    except ReportError as refused:
        db.session.rollback()
        flash(str(refused), "danger")
        return redirect(url_for("portal.invitation", token=token, _anchor="report"))
    db.session.commit()
    flash(_("Your contribution is submitted to the secretariat.") if submit else
          _("Your draft is saved. Submit it when it is ready."), "success")
    return redirect(url_for("portal.invitation", token=token, _anchor="report"))
