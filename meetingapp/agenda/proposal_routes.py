"""Staff answer organisations' proposals, set their deadline, and keep the list of topics."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..formtools import ConfirmForm
from ..loading import loads
from ..models import Meeting, Proposal, Topic
from ..models.agenda import PROPOSAL_STATUS_LABELS
from ..timezones import utc_to_wall_clock
from .errors import AgendaError
from .forms import AcceptForm, DeadlineForm, DeclineForm, TopicForm
from .proposals import (
    accept_proposal,
    decline_proposal,
    proposals_deadline,
    proposals_for_staff,
    set_proposals_deadline,
)
from .queries import load_agenda
from .routes import bp
from .topics import add_topic, all_topics, ensure_default_topics, rename_topic, set_topic_active


@bp.route("/proposals/", methods=["GET", "POST"])
@loads(meeting=Meeting)
def proposals(meeting: Meeting):
    """Every proposal and request for the floor, pending first; the deadline form."""
    deadline = proposals_deadline(meeting)
    form = DeadlineForm(data={"proposals_close_at": utc_to_wall_clock(deadline, meeting.timezone)}
                        if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changes = set_proposals_deadline(meeting, form.proposals_close_at.data)
        except AgendaError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(_("Deadline saved.") if changes else _("Nothing was changed."),
                  "success" if changes else "info")
            return redirect(url_for("agenda.proposals", meeting_id=meeting.id))
    status = request.args.get("status", "")
    status = status if status in PROPOSAL_STATUS_LABELS else ""
    return render_template("agenda/proposals.html", meeting=meeting, form=form,
                           deadline=deadline, status=status,
                           proposals=proposals_for_staff(meeting, status))


def _proposal(meeting, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.meeting_id != meeting.id:
        abort(404)
    return proposal


def _accept_form(meeting, proposal, agenda) -> AcceptForm:
    default_item = proposal.item_id if proposal.kind == "speak" else None
    form = AcceptForm(data={"item_id": default_item,
                            "session_id": proposal.preferred_session_id}
                      if request.method == "GET" else None)
    form.item_id.choices = [("", _("A new item made from this proposal"))] + [
        (i.id, _("Speaker on “%(item)s”", item=i.title)) for i in agenda.items
        if not i.cancelled and i.kind == "item"]
    form.session_id.choices = [("", _("No session (free-standing)"))] + [
        (s.id, s.title) for s in agenda.sessions if not s.cancelled]
    return form


@bp.route("/proposals/<int:proposal_id>", methods=["GET"])
@loads(meeting=Meeting)
def proposal(proposal_id: int, meeting: Meeting):
    """One proposal, with the forms to accept or decline it."""
    found = _proposal(meeting, proposal_id)
    return _proposal_page(meeting, found, _accept_form(meeting, found, load_agenda(meeting)),
                          DeclineForm())


def _proposal_page(meeting, found, accept_form, decline_form, status=200):
    return render_template("agenda/proposal.html", meeting=meeting, proposal=found,
                           accept_form=accept_form, decline_form=decline_form), status


@bp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@loads(meeting=Meeting)
def accept(proposal_id: int, meeting: Meeting):
    """Accept a proposal into a new or an existing item."""
    found = _proposal(meeting, proposal_id)
    form = _accept_form(meeting, found, load_agenda(meeting))
    if form.validate_on_submit():
        new_item = not form.item_id.data
        if new_item and (not form.starts_at.data or not form.ends_at.data):
            form.add_errors({"starts_at": _("Enter when the new item starts and ends.")})
        else:
            try:
                item = accept_proposal(found, item_id=form.item_id.data,
                                       session_id=form.session_id.data,
                                       starts_at=form.starts_at.data, ends_at=form.ends_at.data,
                                       room=form.room.data or "", role=form.role.data)
            except AgendaError as error:
                form.add_errors(error.errors)
            else:
                db.session.commit()
                flash(_("Accepted: %(organisation)s is on “%(item)s”. The organisation is told "
                        "by e-mail.", organisation=found.invitation.organisation.display_name,
                        item=item.title), "success")
                return redirect(url_for("agenda.proposals", meeting_id=meeting.id))
    return _proposal_page(meeting, found, form, DeclineForm(formdata=None), status=422)


@bp.route("/proposals/<int:proposal_id>/decline", methods=["POST"])
@loads(meeting=Meeting)
def decline(proposal_id: int, meeting: Meeting):
    """Decline a proposal with a reason."""
    found = _proposal(meeting, proposal_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            decline_proposal(found, form.reason.data)
        except AgendaError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(_("Declined. The organisation is told by e-mail, with your reason."), "success")
            return redirect(url_for("agenda.proposals", meeting_id=meeting.id))
    accept_form = _accept_form(meeting, found, load_agenda(meeting))
    return _proposal_page(meeting, found, accept_form, form, status=422)


@bp.route("/topics/", methods=["GET", "POST"])
@loads(meeting=Meeting)
def topics(meeting: Meeting):
    """The list of topic tags (shared by every meeting)."""
    form = TopicForm()
    if form.validate_on_submit():
        try:
            topic = add_topic(form.name.data)
        except AgendaError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(_("Topic “%(name)s” added.", name=topic.name), "success")
            return redirect(url_for("agenda.topics", meeting_id=meeting.id))
    return render_template("agenda/topics.html", meeting=meeting, form=form,
                           topics=all_topics(), confirm=ConfirmForm())


@bp.route("/topics/<int:topic_id>", methods=["POST"])
@loads(meeting=Meeting)
def topic(topic_id: int, meeting: Meeting):
    """Rename, retire or restore a topic."""
    found = db.get_or_404(Topic, topic_id)
    action = request.form.get("action", "")
    try:
        if not ConfirmForm().validate_on_submit():
            raise AgendaError(_("The form has expired. Reload the page and try again."))
        if action == "rename":
            rename_topic(found, request.form.get("name", ""))
        elif action in ("retire", "restore"):
            set_topic_active(found, action == "restore")
        else:
            abort(400)
    except AgendaError as error:
        flash(" ".join(error.errors.values()), "danger")
    else:
        db.session.commit()
        flash(_("Topic saved."), "success")
    return redirect(url_for("agenda.topics", meeting_id=meeting.id))


@bp.route("/topics/defaults", methods=["POST"])
@loads(meeting=Meeting)
def default_topics(meeting: Meeting):
    """Add the areas of resolution 1373 that are missing from the list."""
    if ConfirmForm().validate_on_submit():
        added = ensure_default_topics()
        db.session.commit()
        flash(ngettext("%(num)d topic(s) added.", "%(num)d topic(s) added.", len(added)),
              "success")
    return redirect(url_for("agenda.topics", meeting_id=meeting.id))

