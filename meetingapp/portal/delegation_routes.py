"""The delegation, as the representative registers it through the invitation link.

Every delegate reached here is checked to belong to the token's invitation
(404 otherwise); nothing in a form names an invitation.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..formtools import ConfirmForm
from ..models import Invitation, InvitationStatus, RegistrationStatus
from ..models.registration import DELEGATE_ROLES, Delegate
from ..registrations.errors import RegistrationError
from ..registrations.forms import (
    FORMS_OF_ADDRESS,
    DelegateForm,
    LetterForm,
    preferred_language,
)
from ..registrations.letters import letter_of, size_label, upload_letter
from ..registrations.services import (
    register_delegate,
    update_delegate,
    why_closed,
    withdraw_delegate,
)
from .routes import bp, opens_invitation
from .services import actor_label

NOT_ACCEPTED = _l("Your organisation has not accepted the invitation. Accept it first; then you "
                  "can register the delegation.")


def refusal(invitation) -> str | None:
    """Why the delegation cannot be changed through this link now, or None."""
    if invitation.status != InvitationStatus.ACCEPTED:
        return str(NOT_ACCEPTED)
    return why_closed(invitation)


def delegation_section(invitation) -> dict:
    """The delegation as the invitation page shows it."""
    delegates = db.session.scalars(select(Delegate).where(
        Delegate.invitation_id == invitation.id).order_by(Delegate.id)).all()
    delegates = sorted(delegates, key=lambda d: (not d.active, DELEGATE_ROLES.index(d.role), d.id))
    # Places taken: the same registrations active_count() counts, without a second query.
    taken = sum(1 for d in delegates if d.active)
    return {"delegates": delegates, "taken": taken, "quota": invitation.quota,
            "letter": letter_of(invitation), "refusal": refusal(invitation),
            "withdraw_form": ConfirmForm()}


def _back(token: str):
    return redirect(url_for("portal.invitation", token=token, _anchor="delegation"))


def _delegate(invitation, delegate_id: int) -> Delegate:
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.invitation_id != invitation.id:
        abort(404)
    return delegate


def _form_page(invitation, token, form, *, delegate=None, refused=None, status=200):
    return render_template("portal/delegate_form.html", invitation=invitation,
                           meeting=invitation.meeting, token=token, form=form, delegate=delegate,
                           refused=refused, forms_of_address=FORMS_OF_ADDRESS), status


@bp.route("/<token>/delegates/new", methods=["GET", "POST"])
@opens_invitation
def register(token: str, invitation: Invitation):
    if request.method == "GET" and refusal(invitation):
        flash(refusal(invitation), "warning")
        return _back(token)
    form = DelegateForm(language=preferred_language(invitation.organisation))
    if not form.validate_on_submit():
        return _form_page(invitation, token, form, status=400 if form.errors else 200)
    try:
        delegate = register_delegate(invitation, form.details(), actor=actor_label(invitation))
    except RegistrationError as refused:
        return _form_page(invitation, token, form, refused=str(refused), status=409)
    db.session.commit()
    flash(_("%(name)s is registered and awaits the secretariat's approval.",
            name=delegate.display_name), "success")
    return _back(token)


@bp.route("/<token>/delegates/<int:delegate_id>/edit", methods=["GET", "POST"])
@opens_invitation
def edit_delegate(token: str, invitation: Invitation, delegate_id: int):
    delegate = _delegate(invitation, delegate_id)
    if request.method == "GET" and (refusal(invitation) or not delegate.active):
        flash(refusal(invitation) or _("This registration can no longer be changed."),
              "warning")
        return _back(token)
    form = DelegateForm(obj=delegate)
    if not form.validate_on_submit():
        return _form_page(invitation, token, form, delegate=delegate,
                          status=400 if form.errors else 200)
    try:
        changes = update_delegate(invitation, delegate, form.details(),
                                  actor=actor_label(invitation))
    except RegistrationError as refused:
        return _form_page(invitation, token, form, delegate=delegate, refused=str(refused),
                          status=409)
    db.session.commit()
    if changes.get("status") == [RegistrationStatus.APPROVED, RegistrationStatus.PENDING]:
        flash(_("Saved. Because the name, role or e-mail address of %(name)s changed, the "
                "registration awaits the secretariat's approval again.",
                name=delegate.display_name), "warning")
    elif changes:
        flash(_("The registration of %(name)s is saved.", name=delegate.display_name),
              "success")
    else:
        flash(_("Nothing was changed."), "info")
    return _back(token)


@bp.route("/<token>/delegates/<int:delegate_id>/withdraw", methods=["GET", "POST"])
@opens_invitation
def withdraw(token: str, invitation: Invitation, delegate_id: int):
    delegate = _delegate(invitation, delegate_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("portal/confirm_withdraw.html", invitation=invitation,
                               meeting=invitation.meeting, token=token, delegate=delegate,
                               form=form, refused=refusal(invitation))
    try:
        changed = withdraw_delegate(invitation, delegate, actor=actor_label(invitation))
    except RegistrationError as refused:
        flash(str(refused), "danger")
        return _back(token)
    db.session.commit()
    if changed:
        flash(_("%(name)s is withdrawn from the delegation and told by e-mail.",
                name=delegate.display_name), "success")
    else:
        flash(_("%(name)s was already withdrawn.", name=delegate.display_name), "info")
    return _back(token)


@bp.route("/<token>/delegates/letter", methods=["GET", "POST"])
@opens_invitation
def letter(token: str, invitation: Invitation):
    if request.method == "GET" and refusal(invitation):
        flash(refusal(invitation), "warning")
        return _back(token)
    form = LetterForm()
    refused, status = None, 200
    if form.validate_on_submit():
        upload = form.letter.data
        try:
            upload_letter(invitation, upload.filename, upload.stream,
                          actor=actor_label(invitation))
        except RegistrationError as error:
            refused, status = str(error), 422
        else:
            db.session.commit()
            flash(_("The nomination letter is uploaded. The secretariat can now read it."),
                  "success")
            return _back(token)
    elif form.errors:
        status = 400
    limit = size_label(current_app.config["NOMINATION_LETTER_MAX_BYTES"])
    return render_template("portal/letter.html", invitation=invitation,
                           meeting=invitation.meeting, token=token, form=form, limit=limit,
                           letter=letter_of(invitation), refused=refused), status
