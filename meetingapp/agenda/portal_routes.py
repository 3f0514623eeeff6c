"""Through the invitation link: the published programme, topics proposed and requests for
the floor. A proposal is reached only through its own organisation's link (404 otherwise)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..formtools import ConfirmForm
from ..links import protect_link_blueprint
from ..models import AgendaSession, AgendaStatus, Delegate, Invitation, Proposal
from ..models.registration import ACTIVE_STATUSES
from ..portal.routes import opens_invitation
from .errors import AgendaError
from .forms import SpeakRequestForm, TopicProposalForm
from .printing import programme_pdf_response
from .proposals import (
    proposals_deadline,
    proposals_of,
    speakable_items,
    submit_speak_request,
    submit_topic,
    why_closed,
    withdraw_proposal,
)
from .publication import published_programme

# Under the invitation link's address, with its protection (rate limit, private headers).
bp = Blueprint("agenda_portal", __name__, url_prefix="/i")
protect_link_blueprint(bp)


def programme_section(invitation) -> dict:
    """The published programme on the invitation page."""
    return {"programme": published_programme(invitation.meeting)}


def proposals_section(invitation) -> dict:
    """The organisation's proposals and whether it may send more."""
    deadline = proposals_deadline(invitation.meeting)
    return {"proposals": proposals_of(invitation),
            "refusal": why_closed(invitation, deadline), "deadline": deadline}


def _back(token: str):
    return redirect(url_for("portal.invitation", token=token, _anchor="proposals"))


def _own(invitation, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.invitation_id != invitation.id:
        abort(404)
    return proposal


def _delegate_choices(invitation) -> list:
    delegates = db.session.scalars(select(Delegate).where(
        Delegate.invitation_id == invitation.id, Delegate.status.in_(ACTIVE_STATUSES))
        .order_by(Delegate.name_key, Delegate.id)).all()
    return [("", _("Not decided yet"))] + [(d.id, d.display_name) for d in delegates]


def _form_page(invitation, token, form, kind: str, refused=None, status=200):
    return render_template("agenda/portal_proposal_form.html", invitation=invitation,
                           meeting=invitation.meeting, token=token, form=form, kind=kind,
                           refused=refused), status


@bp.route("/<token>/proposals/topic", methods=["GET", "POST"])
@opens_invitation
def propose_topic(token: str, invitation: Invitation):
    """The representative proposes a topic."""
    if request.method == "GET" and why_closed(invitation):
        flash(why_closed(invitation), "warning")
        return _back(token)
    form = TopicProposalForm()
    sessions = db.session.scalars(select(AgendaSession).where(
        AgendaSession.meeting_id == invitation.meeting_id, AgendaSession.was_published,
        AgendaSession.status == AgendaStatus.SCHEDULED).order_by(AgendaSession.starts_at)).all()
    form.preferred_session_id.choices = [("", _("No preference"))] + [(s.id, s.title)
                                                                      for s in sessions]
    form.delegate_id.choices = _delegate_choices(invitation)
    if not form.validate_on_submit():
        return _form_page(invitation, token, form, "topic", status=400 if form.errors else 200)
    try:
        submit_topic(invitation, title=form.title.data, summary=form.summary.data or "",
                     preferred_session_id=form.preferred_session_id.data,
                     delegate_id=form.delegate_id.data)
    except AgendaError as refused:
        form.add_errors({k: v for k, v in refused.errors.items() if k})
        return _form_page(invitation, token, form, "topic", refused=refused.errors.get(""),
                          status=409)
    db.session.commit()
    flash(_("Your proposal is sent. The secretariat will answer here and by e-mail."), "success")
    return _back(token)


@bp.route("/<token>/proposals/floor", methods=["GET", "POST"])
@opens_invitation
def ask_for_floor(token: str, invitation: Invitation):
    """The representative asks for the floor on a published item."""
    if request.method == "GET" and why_closed(invitation):
        flash(why_closed(invitation), "warning")
        return _back(token)
    form = SpeakRequestForm(data={"item_id": request.args.get("item", type=int)}
                            if request.method == "GET" else None)
    form.item_id.choices = [("", _("Choose…"))] + [(i.id, i.title)
                                                   for i in speakable_items(invitation.meeting)]
    form.delegate_id.choices = _delegate_choices(invitation)
    if not form.validate_on_submit():
        return _form_page(invitation, token, form, "speak", status=400 if form.errors else 200)
    try:
        submit_speak_request(invitation, item_id=form.item_id.data,
                             summary=form.summary.data or "", delegate_id=form.delegate_id.data)
    except AgendaError as refused:
        form.add_errors({k: v for k, v in refused.errors.items() if k})
        return _form_page(invitation, token, form, "speak", refused=refused.errors.get(""),
                          status=409)
    db.session.commit()
    flash(_("Your request for the floor is sent. The secretariat will answer here and by "
            "e-mail."), "success")
    return _back(token)


@bp.route("/<token>/proposals/<int:proposal_id>")
@opens_invitation
def proposal(token: str, invitation: Invitation, proposal_id: int):
    """One of the organisation's proposals and the secretariat's answer."""
    found = _own(invitation, proposal_id)
    return render_template("agenda/portal_proposal.html", invitation=invitation,
                           meeting=invitation.meeting, token=token, proposal=found,
                           form=ConfirmForm())


@bp.route("/<token>/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@opens_invitation
def withdraw_proposal_view(token: str, invitation: Invitation, proposal_id: int):
    """The representative withdraws a proposal still awaiting an answer."""
    found = _own(invitation, proposal_id)
    if ConfirmForm().validate_on_submit():
        try:
            withdraw_proposal(invitation, found)
        except AgendaError as refused:
            flash(str(refused), "danger")
        else:
            db.session.commit()
            flash(_("Your proposal is withdrawn."), "success")
    return _back(token)


@bp.route("/<token>/programme")
@opens_invitation
def programme(token: str, invitation: Invitation):
    """The published programme, ready to print."""
    published = published_programme(invitation.meeting)
    if published is None:
        abort(404)
    return render_template("agenda/print.html", meeting=invitation.meeting,
                           programme=published,
                           pdf_url=url_for("agenda_portal.programme_pdf", token=token),
                           back_url=url_for("portal.invitation", token=token))


@bp.route("/<token>/programme.pdf")
@opens_invitation
def programme_pdf(token: str, invitation: Invitation):
    """The published programme as a PDF document."""
    published = published_programme(invitation.meeting)
    if published is None:
        abort(404)
    return programme_pdf_response(published)
