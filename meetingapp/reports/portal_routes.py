"""Through the invitation link: the organisation's contribution to the report on the
activities of organisations (draft, then submit), until the secretariat's deadline."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..formtools import ConfirmForm
from ..links import protect_link_blueprint
from ..models import Invitation, InvitationStatus
from ..models.report import DEFAULT_REPORT_SECTIONS, ReportSection
from ..portal.routes import opens_invitation, require_accepted
from ..portal.services import actor_label
from .services import (
    ReportError,
    contribution_of,
    deadline_of,
    save_contribution,
    sections_of,
    why_not_editable,
)

# Under the invitation link's address, with its protection (rate limit, private headers).
bp = Blueprint("reports_portal", __name__, url_prefix="/i")
protect_link_blueprint(bp)


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
@opens_invitation
def save_report(token: str, invitation: Invitation):
    """Save the contribution as a draft, or submit it."""
    require_accepted(invitation)
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
