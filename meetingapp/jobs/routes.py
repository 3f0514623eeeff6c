from flask import Response, abort, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user

from ..auth.access import STAFF_ROLES, restrict_blueprint
from ..extensions import db
from ..models import BackgroundJob, JobStatus, Meeting
from . import bp
from .forms import AuditExportForm
from .registry import get_kind
from .services import job_status, start_job

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
def detail(job_id: int):
    """A job's status and progress, refreshed while it runs; the download once done."""
    job = db.get_or_404(BackgroundJob, job_id)
    return render_template("jobs/detail.html", job=job, title=_title(job), status=_status(job))


@bp.route("/<int:job_id>.json")
def status(job_id: int):
    """The job's status as JSON, polled by static/js/jobs.js."""
    job = db.get_or_404(BackgroundJob, job_id)
    response = jsonify(_status(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:job_id>/download")
def download(job_id: int):
    """The file the job made (staff only, never cached)."""
    job = db.get_or_404(BackgroundJob, job_id)
    if job.status != JobStatus.DONE or job.result is None:
        abort(404)
    filename = job.result_filename.replace('"', "") or f"job-{job.id}"
    return Response(job.result, mimetype=job.result_mimetype or "application/octet-stream",
                     headers={"Content-Disposition": f'attachment; filename="{filename}"',
                              "Cache-Control": "no-store"})


@bp.route("/audit-export", methods=["POST"])
def start_audit_export():
    """Start the CSV export of one meeting's audit log, then follow it."""
    form = AuditExportForm()
    if not form.validate_on_submit():
        abort(400)
    meeting = db.get_or_404(Meeting, form.meeting_id.data)
    job = start_job("audit-export", {"meeting_id": meeting.id},
                    current_user._get_current_object(), meeting)
    db.session.commit()
    current_app.logger.info("Started %s job %s for meeting %s.", job.kind, job.id, meeting.id)
    return redirect(url_for("jobs.detail", job_id=job.id))
