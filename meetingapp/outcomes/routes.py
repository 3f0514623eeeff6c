"""Staff pages for outcomes: overview with filters, add/edit, history, carry-over."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from ..access import STAFF_ROLES, restrict_blueprint
from ..extensions import db
from ..formtools import ConfirmForm
from ..loading import loads
from ..models import Meeting, Organisation
from ..models.agenda import AgendaItem
from ..models.outcome import OUTCOME_KIND_LABELS, OUTCOME_STATUS_LABELS, Outcome, OutcomeNote
from .forms import OutcomeForm, StatusForm
from .services import (
    OutcomeError,
    carry_over,
    change_status,
    create_outcome,
    filtered_outcomes,
    meeting_today,
    open_commitments_before,
    pending_notes,
    review_progress,
    update_outcome,
)

bp = Blueprint("outcomes", __name__, url_prefix="/meetings/<int:meeting_id>/outcomes")

restrict_blueprint(bp, *STAFF_ROLES)


def _outcome(meeting: Meeting, outcome_id: int) -> Outcome:
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None or outcome.meeting_id != meeting.id:
        abort(404)
    return outcome


def _form(meeting: Meeting, obj=None) -> OutcomeForm:
    form = OutcomeForm(obj=obj)
    items = db.session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.kind == "item")
        .order_by(AgendaItem.starts_at, AgendaItem.position)).all()
    # Active organisations, plus any this outcome already names (even if since
    # deactivated): otherwise saving the form would silently drop them.
    kept = {o.id for o in obj.organisations} | ({obj.owner_id} if obj.owner_id else set()) \
        if obj is not None else set()
    orgs = db.session.scalars(select(Organisation).where(
        or_(Organisation.active, Organisation.id.in_(kept or [-1])))
        .order_by(Organisation.name)).all()
    form.set_choices(items, orgs)
    return form


@bp.route("/")
@loads(meeting=Meeting)
def index(meeting: Meeting):
    """The meeting's outcomes, filtered by kind, status, organisation, overdue."""
    args = request.args
    org_id = args.get("organisation", type=int)
    outcomes = filtered_outcomes(
        meeting, kind=args.get("kind", "") if args.get("kind") in OUTCOME_KIND_LABELS else "",
        status=args.get("status", "") if args.get("status") in OUTCOME_STATUS_LABELS else "",
        organisation_id=org_id, overdue=args.get("overdue") == "1")
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("outcomes/index.html", meeting=meeting, outcomes=outcomes,
                           today=meeting_today(meeting), organisations=orgs, args=args,
                           kinds=OUTCOME_KIND_LABELS, statuses=OUTCOME_STATUS_LABELS,
                           pending=pending_notes(meeting), review_form=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@loads(meeting=Meeting)
def create(meeting: Meeting):
    """Add an outcome (``?item=<id>`` from the agenda item page)."""
    form = _form(meeting)
    if request.method == "GET" and request.args.get("item", type=int):
        form.agenda_item_id.data = request.args.get("item", type=int)
    if form.validate_on_submit():
        try:
            outcome = create_outcome(meeting, form.details(), form.organisation_ids.data)
        except OutcomeError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The outcome is recorded."), "success")
            return redirect(url_for("outcomes.detail", meeting_id=meeting.id,
                                    outcome_id=outcome.id))
    return render_template("outcomes/form.html", meeting=meeting, form=form, outcome=None), (
        400 if form.errors else 200)


@bp.route("/<int:outcome_id>/edit", methods=["GET", "POST"])
@loads(meeting=Meeting)
def edit(outcome_id: int, meeting: Meeting):
    """Change an outcome."""
    outcome = _outcome(meeting, outcome_id)
    form = _form(meeting, obj=outcome)
    if request.method == "GET":
        form.organisation_ids.data = [o.id for o in outcome.organisations]
    if form.validate_on_submit():
        try:
            update_outcome(outcome, form.details(), form.organisation_ids.data)
        except OutcomeError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The outcome is saved."), "success")
            return redirect(url_for("outcomes.detail", meeting_id=meeting.id,
                                    outcome_id=outcome.id))
    return render_template("outcomes/form.html", meeting=meeting, form=form, outcome=outcome), (
        400 if form.errors else 200)


@bp.route("/<int:outcome_id>", methods=["GET", "POST"])
@loads(meeting=Meeting)
def detail(outcome_id: int, meeting: Meeting):
    """An outcome with its history; POST adds a status change or comment."""
    outcome = _outcome(meeting, outcome_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            change_status(outcome, form.status.data or None, form.comment.data or "",
                          actor=current_user.email)
        except OutcomeError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The history is updated."), "success")
            return redirect(url_for("outcomes.detail", meeting_id=meeting.id,
                                    outcome_id=outcome.id))
    return render_template("outcomes/detail.html", meeting=meeting, outcome=outcome, form=form,
                           today=meeting_today(meeting), review_form=ConfirmForm())


@bp.route("/notes/<int:note_id>/<any(accept, reject):answer>", methods=["POST"])
@loads(meeting=Meeting)
def review(note_id: int, answer: str, meeting: Meeting):
    """Accept or reject a representative's progress note."""
    note = db.session.get(OutcomeNote, note_id)
    if note is None or note.outcome.meeting_id != meeting.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            review_progress(note, answer == "accept")
        except OutcomeError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Progress note accepted.") if answer == "accept" else
                  _("Progress note rejected."), "success")
    return redirect(url_for("outcomes.detail", meeting_id=meeting.id,
                            outcome_id=note.outcome_id))


@bp.route("/carry-over", methods=["GET", "POST"])
@loads(meeting=Meeting)
def carry(meeting: Meeting):
    """Open commitments of earlier meetings; POST ``outcome_id`` carries one into this one."""
    form = ConfirmForm()
    if form.validate_on_submit():
        source = db.session.get(Outcome, request.form.get("outcome_id", type=int) or 0)
        if source is None:
            abort(404)
        try:
            carry_over(source, meeting)
        except OutcomeError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("The commitment is carried into this meeting."), "success")
        return redirect(url_for("outcomes.carry", meeting_id=meeting.id))
    return render_template("outcomes/carry.html", meeting=meeting,
                           outcomes=open_commitments_before(meeting), form=form,
                           today=meeting_today(meeting))
