"""Staff pages for the activity report: sections, deadline, contributions, compiled document."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..access import STAFF_ROLES, restrict_blueprint
from ..exports import download
from ..extensions import db
from ..formtools import ConfirmForm
from ..jobs import start_job
from ..loading import loads
from ..mail.messages import slugify
from ..models import Meeting
from ..models.report import Contribution, ReportSection
from ..timezones import NonExistentLocalTime, local_to_utc, utc_to_wall_clock
from .compile import communique_docx
from .forms import DeadlineForm, SectionForm
from .jobs import MIMETYPES
from .services import (
    ReportError,
    accept,
    add_section,
    overview,
    remind_missing,
    remove_section,
    reopen,
    sections_of,
    set_deadline,
    settings_of,
)

bp = Blueprint("reports", __name__, url_prefix="/meetings/<int:meeting_id>/report")

restrict_blueprint(bp, *STAFF_ROLES)


def _back(meeting_id: int):
    return redirect(url_for("reports.index", meeting_id=meeting_id))


def _contribution(meeting: Meeting, contribution_id: int) -> Contribution:
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or contribution.meeting_id != meeting.id:
        abort(404)
    return contribution


@bp.route("/")
@loads(meeting=Meeting)
def index(meeting: Meeting):
    """Sections, deadline, who has submitted, and the compiled document."""
    sections = sections_of(meeting)
    settings = settings_of(meeting)
    db.session.commit()  # the default sections, made on first view
    deadline_form = DeadlineForm(data={"deadline": utc_to_wall_clock(settings.deadline_at,
                                                                     meeting.timezone)})
    return render_template("reports/index.html", meeting=meeting, sections=sections,
                           settings=settings, rows=overview(meeting), section_form=SectionForm(),
                           deadline_form=deadline_form, form=ConfirmForm())


@bp.route("/sections", methods=["POST"])
@loads(meeting=Meeting)
def create_section(meeting: Meeting):
    form = SectionForm()
    if form.validate_on_submit():
        try:
            add_section(meeting, form.title.data, form.guidance.data or "")
        except ReportError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The section is added."), "success")
    else:
        flash(_("A section needs a title."), "danger")
    return _back(meeting.id)


@bp.route("/sections/<int:section_id>/delete", methods=["POST"])
@loads(meeting=Meeting)
def delete_section(section_id: int, meeting: Meeting):
    section = db.session.get(ReportSection, section_id)
    if section is None or section.meeting_id != meeting.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        remove_section(section)
        db.session.commit()
        flash(_("The section is removed."), "success")
    return _back(meeting.id)


@bp.route("/deadline", methods=["POST"])
@loads(meeting=Meeting)
def deadline(meeting: Meeting):
    form = DeadlineForm()
    if not form.validate_on_submit():
        flash(_("Give the deadline as a date and time, for example 2003-03-06 09:30."), "danger")
        return _back(meeting.id)
    value = form.deadline.data
    try:
        deadline_at = local_to_utc(value, meeting.timezone) if value else None
    except NonExistentLocalTime as error:
        flash(str(error), "danger")
        return _back(meeting.id)
    set_deadline(meeting, deadline_at)
    db.session.commit()
    flash(_("The deadline is saved."), "success")
    return _back(meeting.id)


@bp.route("/contributions/<int:contribution_id>")
@loads(meeting=Meeting)
def contribution(contribution_id: int, meeting: Meeting):
    item = _contribution(meeting, contribution_id)
    return render_template("reports/contribution.html", meeting=meeting, contribution=item,
                           sections=sections_of(meeting), form=ConfirmForm())


@bp.route("/contributions/<int:contribution_id>/<any(accept, reopen):action>",
          methods=["POST"])
@loads(meeting=Meeting)
def act(contribution_id: int, action: str, meeting: Meeting):
    """Accept or reopen a contribution."""
    item = _contribution(meeting, contribution_id)
    if ConfirmForm().validate_on_submit():
        try:
            (accept if action == "accept" else reopen)(item)
        except ReportError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Contribution accepted.") if action == "accept" else
                  _("Contribution reopened: the organisation can change it."), "success")
    return redirect(url_for("reports.contribution", meeting_id=meeting.id,
                            contribution_id=item.id))


@bp.route("/remind", methods=["POST"])
@loads(meeting=Meeting)
def remind(meeting: Meeting):
    if ConfirmForm().validate_on_submit():
        count = remind_missing(meeting)
        db.session.commit()
        flash(ngettext("%(num)d reminder(s) queued.", "%(num)d reminder(s) queued.", count),
              "success")
    return _back(meeting.id)


@bp.route("/compile/<any(docx, pdf):fmt>", methods=["POST"])
@loads(meeting=Meeting)
def compile_report(fmt: str, meeting: Meeting):
    """Start the compiled report as a background job; its page shows progress."""
    if not ConfirmForm().validate_on_submit():
        return _back(meeting.id)
    job = start_job("compiled_report", {"format": fmt}, user=current_user._get_current_object(),
                    meeting=meeting)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.route("/communique.docx")
@loads(meeting=Meeting)
def communique(meeting: Meeting):
    """A draft communiqué of the summary outcomes, for staff to edit."""
    data = communique_docx(meeting)
    filename = f"communique-{slugify(meeting.title, 40)}.docx"
    return download(data, MIMETYPES["docx"], filename)
