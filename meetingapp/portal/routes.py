from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..links import open_link, protect_link_blueprint
from . import bp
from .forms import AcceptForm, DeclineForm
from .services import (
    ResponseRefused,
    deadline_passed,
    find_invitation,
    record_view,
    respond,
)

protect_link_blueprint(bp)


def _open(token: str):
    """The invitation for ``token``, or an error response for a bad link."""
    return open_link(find_invitation, token)


@bp.route("/<token>")
def invitation(token: str):
    inv, error = _open(token)
    if error:
        return error
    record_view(inv)
    g.portal_invitation = inv
    # Rendered before the commit, which would expire the invitation, its meeting and
    # organisation and load them again.
    page = render_template("portal/invitation.html", invitation=inv, meeting=inv.meeting,
                           token=token, closed=deadline_passed(inv),
                           accept_form=AcceptForm(), decline_form=DeclineForm())
    db.session.commit()
    return page


@bp.route("/<token>/respond/<any(accept, decline):answer>", methods=["POST"])
def respond_to_invitation(token: str, answer: str):
    inv, error = _open(token)
    if error:
        return error
    accept_form, decline_form = AcceptForm(), DeclineForm()
    form = accept_form if answer == "accept" else decline_form
    if not form.validate_on_submit():
        return render_template("portal/invitation.html", invitation=inv, meeting=inv.meeting,
                               token=token, closed=deadline_passed(inv),
                               accept_form=accept_form, decline_form=decline_form), 400
    try:
        changed = respond(inv, accept=answer == "accept",
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
