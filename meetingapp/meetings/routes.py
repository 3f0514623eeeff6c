from dataclasses import asdict

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..access import STAFF_ROLES, restrict_blueprint
from ..extensions import db
from ..loading import loads
from ..models import Meeting, MeetingStatus
from ..models.meeting import STATUS_LABELS
from ..timezones import format_local_range, zone_names
from .forms import TRANSITION_LABELS, FilterForm, MeetingForm, StatusForm
from .services import MeetingError, change_status, create_meeting, details_of, update_meeting

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

restrict_blueprint(bp, *STAFF_ROLES)


@bp.app_template_filter("localrange")
def localrange_filter(start, end, zone_name):
    """``{{ meeting.starts_at|localrange(meeting.ends_at, meeting.timezone) }}``, zone named."""
    return format_local_range(start, end, zone_name)


@bp.route("/")
def index():
    """Every meeting, newest first, optionally of one status."""
    filters = FilterForm(request.args)
    query = select(Meeting).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    if filters.status.data in STATUS_LABELS:
        query = query.where(Meeting.status == filters.status.data)
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("meetings/index.html", page=page, filters=filters)


@bp.route("/<int:meeting_id>")
@loads(meeting=Meeting)
def detail(meeting: Meeting):
    return render_template("meetings/detail.html", meeting=meeting, status_form=StatusForm(),
                           transition_labels=TRANSITION_LABELS)


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = create_meeting(form.details())
        except MeetingError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(_("Meeting “%(title)s” created as a draft.", title=meeting.title), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, title=_("New meeting"),
                           zone_names=zone_names())


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@loads(meeting=Meeting)
def edit(meeting: Meeting):
    # Prefill only on GET: on POST a field left out must stay empty, not keep the old value.
    form = MeetingForm(data=None if request.method == "POST" else asdict(details_of(meeting)))
    if form.validate_on_submit():
        try:
            changes = update_meeting(meeting, form.details())
        except MeetingError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            if changes:
                flash(_("Meeting “%(title)s” saved.", title=meeting.title), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=meeting,
                           title=_("Edit “%(title)s”", title=meeting.title),
                           zone_names=zone_names())


@bp.route("/<int:meeting_id>/cancel")
@loads(meeting=Meeting)
def confirm_cancel(meeting: Meeting):
    """Ask before cancelling: it cannot be undone."""
    if MeetingStatus.CANCELLED not in meeting.allowed_transitions:
        flash(_("A meeting that is “%(status)s” cannot be cancelled.",
                status=STATUS_LABELS[meeting.status]), "warning")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/confirm_cancel.html", meeting=meeting,
                           status_form=StatusForm(status=MeetingStatus.CANCELLED, confirmed="yes"))


@bp.route("/<int:meeting_id>/status", methods=["POST"])
@loads(meeting=Meeting)
def status(meeting: Meeting):
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose a status with one of the buttons."), "danger")
    elif form.status.data == MeetingStatus.CANCELLED and form.confirmed.data != "yes":
        return redirect(url_for("meetings.confirm_cancel", meeting_id=meeting.id))
    else:
        try:
            change_status(meeting, form.status.data)
        except MeetingError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("“%(title)s” is now “%(status)s”.", title=meeting.title,
                    status=STATUS_LABELS[meeting.status]), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))
