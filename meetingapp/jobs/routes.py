from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from ..access import STAFF_ROLES, restrict_blueprint
from ..exports import download as send_download
from ..extensions import db
from ..loading import load_checked, loads
from ..models import BackgroundJob, JobStatus, Meeting
from .forms import AuditExportForm
from .registry import get_kind
from .services import job_status, start_job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

restrict_blueprint(bp, *STAFF_ROLES)


def _title(job: BackgroundJob) -> str:
    try:
        return str(get_kind(job.kind).title)
    except KeyError:
        return job.kind


def _status(job: BackgroundJob) -> dict:
    status = job_status(job)
    status["download_url"] = (url_for("jobs.download", job_id=job.id)
                              if job.status == JobStatus.DONE else "")
    return status


@bp.route("/<int:job_id>")
@loads(job=BackgroundJob)
def detail(job: BackgroundJob):
    """A job's status and progress, refreshed while it runs; the download once done."""
    return render_template("jobs/detail.html", job=job, title=_title(job), status=_status(job))


@bp.route("/<int:job_id>.json")
@loads(job=BackgroundJob)
def status(job: BackgroundJob):
    """The job's status as JSON, polled by static/js/jobs.js."""
    response = jsonify(_status(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:job_id>/download")
@loads(job=BackgroundJob)
def download(job: BackgroundJob):
    """The file the job made (staff only, never cached)."""
    if job.status != JobStatus.DONE or job.result is None:
        abort(404)
    filename = job.result_filename.replace('"', "") or f"job-{job.id}"
    return send_download(job.result, job.result_mimetype or "application/octet-stream",
                         filename)


@bp.route("/audit-export", methods=["POST"])
def start_audit_export():
    """Start the CSV export of one meeting's audit log, then follow it."""
    form = AuditExportForm()
    if not form.validate_on_submit():
        abort(400)
    meeting = load_checked({}, "meeting", Meeting, form.meeting_id.data)
    job = start_job("audit-export", {"meeting_id": meeting.id},
                    current_user._get_current_object(), meeting)
    db.session.commit()
    current_app.logger.info("Started %s job %s for meeting %s.", job.kind, job.id, meeting.id)
    return redirect(url_for("jobs.detail", job_id=job.id))
