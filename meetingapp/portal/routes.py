from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..links import opens_link, protect_link_blueprint
from ..models import Invitation, InvitationStatus
from .forms import AcceptForm, DeclineForm
from .services import (
    ResponseRefused,
    deadline_passed,
    find_invitation,
    record_view,
    respond,
)

bp = Blueprint("portal", __name__, url_prefix="/i")
protect_link_blueprint(bp)


# A view of the invitation link starts from the invitation (404/410 for a bad link).
opens_invitation = opens_link(find_invitation, "invitation")


def require_accepted(invitation: Invitation) -> None:
    """What only an organisation that accepted may reach answers 404 to the others."""
    if invitation.status != InvitationStatus.ACCEPTED:
        abort(404)


@bp.route("/<token>", endpoint="invitation")
@opens_invitation
def invitation_page(token: str, invitation: Invitation):
    """The invitation: the answer, and the sections features add (``hooks.PORTAL_PAGE``)."""
    record_view(invitation)
    # Rendered before the commit, which would expire the invitation, its meeting and
    # organisation and load them again.
    page = render_template("portal/invitation.html", invitation=invitation,
                           meeting=invitation.meeting, token=token,
                           closed=deadline_passed(invitation),
                           accept_form=AcceptForm(), decline_form=DeclineForm())
    db.session.commit()
    return page


@bp.route("/<token>/respond/<any(accept, decline):answer>", methods=["POST"])
@opens_invitation
def respond_to_invitation(token: str, invitation: Invitation, answer: str):
    accept_form, decline_form = AcceptForm(), DeclineForm()
    form = accept_form if answer == "accept" else decline_form
    if not form.validate_on_submit():
        return render_template("portal/invitation.html", invitation=invitation,
                               meeting=invitation.meeting, token=token,
                               closed=deadline_passed(invitation),
                               accept_form=accept_form, decline_form=decline_form), 400
    try:
        changed = respond(invitation, accept=answer == "accept",
                          reason=decline_form.reason.data or "")
    except ResponseRefused as refused:
        flash(str(refused), "danger")
        return redirect(url_for("portal.invitation", token=token))
    db.session.commit()
    if not changed:
        flash(_("Your answer was already recorded; nothing changed."), "info")
    elif answer == "accept":
        flash(_("Thank you: your organisation's acceptance is recorded."), "success")
    else:
        flash(_("Your organisation's answer is recorded: it will not attend."), "success")
    return redirect(url_for("portal.invitation", token=token))
