"""Through the invitation link: the organisation's commitments, and progress reports on
them (for staff to accept). An outcome is reached only if it concerns the link's
organisation (404 otherwise)."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..extensions import db
from ..links import protect_link_blueprint
from ..models import Invitation, InvitationStatus
from ..models.outcome import FOLLOWED_KINDS, OUTCOME_STATUS_LABELS, Outcome, outcome_organisations
from ..portal.routes import opens_invitation, require_accepted
from ..portal.services import actor_label
from .forms import ProgressForm
from .services import OutcomeError, meeting_today, report_progress

# Under the invitation link's address, with its protection (rate limit, private headers).
bp = Blueprint("outcomes_portal", __name__, url_prefix="/i")
protect_link_blueprint(bp)


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


@bp.route("/<token>/commitments/<int:outcome_id>/progress", methods=["POST"])
@opens_invitation
def commitment_progress(token: str, invitation: Invitation, outcome_id: int):
    """Report progress on one of the organisation's commitments (for staff to accept)."""
    require_accepted(invitation)
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
