"""Staff views of the desk's record: the log of attempts, undoing a check-in, attendance."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import STAFF_ROLES, roles_required
from ..exports import CSV, PDF, XLSX, download
from ..extensions import db
from ..loading import loads
from ..models import CheckIn, CheckinAttempt, Meeting
from ..pdf import PdfUnavailable, render_pdf
from ..registrations.participants import participant_count
from .answers import ANSWERS
from .attendance import attendance_context, attendance_csv, attendance_xlsx
from .forms import UndoForm
from .routes import bp
from .services import CheckinError, undo_checkin


@bp.route("/<int:meeting_id>/log")
@roles_required(*STAFF_ROLES)
@loads(meeting=Meeting)
def log(meeting: Meeting):
    """Every attempt at the meeting's desks, newest first, with undo for check-ins in force."""
    page = db.paginate(
        select(CheckinAttempt).where(CheckinAttempt.meeting_id == meeting.id)
        .options(selectinload(CheckinAttempt.delegate), selectinload(CheckinAttempt.checkin))
        .order_by(CheckinAttempt.at.desc(), CheckinAttempt.id.desc()),
        per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("checkin/log.html", meeting=meeting, page=page, answers=ANSWERS)


@bp.route("/<int:meeting_id>/checkins/<int:checkin_id>/undo", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
@loads(meeting=Meeting, checkin=CheckIn)
def undo(meeting: Meeting, checkin: CheckIn):
    """Ask for the reason (GET), then undo the check-in (POST); audited."""
    if checkin.meeting_id != meeting.id:
        abort(404)
    form = UndoForm()
    if form.validate_on_submit():
        try:
            undo_checkin(checkin, form.reason.data, current_user._get_current_object())
        except CheckinError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Check-in of %(name)s undone; they can be checked in again.",
                    name=checkin.delegate.display_name), "success")
        return redirect(url_for("checkin.log", meeting_id=meeting.id))
    return render_template("checkin/undo.html", meeting=meeting, checkin=checkin, form=form), \
        400 if form.errors else 200


@bp.route("/<int:meeting_id>/attendance")
@roles_required(*STAFF_ROLES)
@loads(meeting=Meeting)
def attendance(meeting: Meeting):
    """Who attended, by organisation, marked in the list of participants."""
    return render_template("checkin/attendance.html", **attendance_context(meeting))


@bp.route("/<int:meeting_id>/attendance.<any(csv, xlsx):fmt>")
@roles_required(*STAFF_ROLES)
@loads(meeting=Meeting)
def attendance_export(fmt: str, meeting: Meeting):
    """Every approved delegate with whether, when and where they checked in."""
    name = f"attendance-meeting-{meeting.id}.{fmt}"
    if fmt == "csv":
        return download(attendance_csv(meeting), CSV, name)
    return download(attendance_xlsx(meeting), XLSX, name)


@bp.route("/<int:meeting_id>/attendance.pdf")
@roles_required(*STAFF_ROLES)
@loads(meeting=Meeting)
def attendance_pdf(meeting: Meeting):
    """The printable list of participants with those who attended marked."""
    context = attendance_context(meeting)
    try:
        pdf = render_pdf("checkin/attendance_document.html",
                         count=participant_count(context["groups"]), **context)
    except PdfUnavailable as error:
        flash(str(error), "danger")
        return redirect(url_for("checkin.attendance", meeting_id=meeting.id))
    return download(pdf, PDF, f"attendance-meeting-{meeting.id}.pdf")
