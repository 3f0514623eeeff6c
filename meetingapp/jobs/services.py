"""Starting a background job and running it.

``start_job`` adds and flushes, like every service; the job is dispatched
when the caller's transaction commits (see ``dispatch``). ``run_job`` is what
a Celery worker, a thread or the request itself calls with the job's id.
"""

import json
import time
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update

from ..audit.services import record
from ..extensions import db
from ..i18n import current_language, in_language
from ..models import BackgroundJob, JobStatus, Meeting, User, utcnow
from .registry import JobFailed, get_kind

# Progress is written at most this often (seconds): each write is a commit.
# Where the session keeps the ids of the jobs its transaction started.
PENDING = "meetingapp.jobs.pending"
PROGRESS_INTERVAL = 0.5
# A running job that reports the same progress still says it is alive this often
# (seconds), so that a long step is never taken for a dead worker's job.
HEARTBEAT_INTERVAL = 60


def start_job(kind: str, params: dict | None = None, user: User | None = None,
              meeting: Meeting | None = None) -> BackgroundJob:
    """Queue a job of ``kind`` (flushes, audited); it starts once the caller commits."""
    try:
        job_kind = get_kind(kind)
    except KeyError:
        raise ValueError(f"There is no job kind {kind!r}.") from None
    params = dict(params or {})
    # The job's messages (and its file's headings) follow the language of whoever started it.
    params.setdefault("language", current_language())
    try:
        json.dumps(params)
    except TypeError as error:
        raise ValueError(f"Job parameters must be JSON: {error}") from None
    job = BackgroundJob(kind=kind, params=params, status=JobStatus.QUEUED, progress=0,
                        message=_("Waiting to start"), error="", result_filename="",
                        result_mimetype="", result_size=0, created_by=user, meeting=meeting,
                        created_at=utcnow(), updated_at=utcnow())
    db.session.add(job)
    db.session.flush()
    fail_stalled_jobs()  # whoever starts a job also clears the ones a dead worker left
    with in_language("en"):  # the audit log keeps English labels
        label = str(job_kind.title)
    record("start_job", job, meeting=meeting, user=user, label=label,
           changes={"kind": kind})
    # Handed on when the transaction commits (see ``dispatch``).
    db.session().info.setdefault(PENDING, []).append(job.id)
    return job


def fail_stalled_jobs(now=None) -> int:
    """Mark as failed the running jobs silent for JOBS_STALE_MINUTES (a worker died or a
    deploy restarted it; a live job writes its progress at least every minute): their
    page stops waiting and says to start them again. A job still waiting in the queue is
    left alone, however long the queue. Flushes; returns how many. Run by beat,
    ``flask jobs sweep`` and every new job."""
    minutes = float(current_app.config.get("JOBS_STALE_MINUTES") or 0)
    if minutes <= 0:
        return 0
    now = now or utcnow()
    with in_language("en"):  # stored once, read by anyone: English like the audit log
        error = _("Interrupted: no progress for %(minutes)d minutes (the worker running it "
                  "stopped). Start it again.", minutes=minutes)
    # An UPDATE's result is a CursorResult (rowcount), which the scoped session's
    # execute() does not say.
    result = cast(CursorResult[Any], db.session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.status == JobStatus.RUNNING,
               BackgroundJob.updated_at < now - timedelta(minutes=minutes))
        .values(status=JobStatus.FAILED, error=error, message="", finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)))
    return result.rowcount or 0


class ProgressReporter:
    """``report_progress(percent, message="")`` for a job function: commits, throttled."""

    def __init__(self, session, job: BackgroundJob):
        self.session = session
        self.job = job
        self.last_write = float("-inf")

    def __call__(self, percent: float, message: str = "") -> None:
        """Record ``percent`` (0-100) and a message for the person waiting; ends the transaction."""
        percent = max(0, min(99, int(percent)))  # 100 is "done", set by the runner
        message = (message or self.job.message or "")[:300]
        now = time.monotonic()
        changed = (percent, message) != (self.job.progress, self.job.message)
        if ((changed and now - self.last_write >= PROGRESS_INTERVAL)
                or now - self.last_write >= HEARTBEAT_INTERVAL):
            self.job.progress, self.job.message, self.job.updated_at = percent, message, utcnow()
            self.last_write = now
        # Commit even with nothing to write: the job's reads end here, and on
        # SQLite (every transaction takes the write lock, meetingapp/database.py)
        # the web requests are not kept waiting while the job computes.
        self.session.commit()


def _claim(session, job_id: int) -> bool:
    now = utcnow()
    claimed = session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id, BackgroundJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now, updated_at=now, message=_("Started"))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return claimed == 1


def _finish(session, job_id: int, **values) -> None:
    job = session.get(BackgroundJob, job_id, populate_existing=True)
    if job.status != JobStatus.RUNNING:  # swept as interrupted meanwhile: that answer stands
        session.rollback()
        return
    values.setdefault("finished_at", utcnow())
    values.setdefault("updated_at", values["finished_at"])
    for field, value in values.items():
        setattr(job, field, value)
    session.commit()


def run_job(job_id: int) -> str | None:
    """Run the queued job ``job_id`` here and now; its final status, or None if not queued."""
    session = db.session()
    # Progress commits must not expire what the job function has loaded.
    previous, session.expire_on_commit = session.expire_on_commit, False
    try:
        return _run(session, job_id)
    finally:
        session.expire_on_commit = previous


def _run(session, job_id: int) -> str | None:
    params = session.scalar(select(BackgroundJob.params).where(BackgroundJob.id == job_id))
    with in_language((params or {}).get("language")):
        return _run_claimed(session, job_id)


def _run_claimed(session, job_id: int) -> str | None:
    if not _claim(session, job_id):
        return None  # taken by another worker, or no longer queued
    job = session.get(BackgroundJob, job_id, populate_existing=True)
    session.commit()  # hold no transaction (on SQLite: no lock) while the job starts
    error = None
    try:
        kind = get_kind(job.kind)
    except KeyError:
        kind = None
        error = _("There is no job kind %(kind)s in this version of the application.",
                  kind=repr(job.kind))
    try:
        if kind is None:
            raise JobFailed(error)
        data, filename, mimetype = kind.function(job, ProgressReporter(session, job))
        if not isinstance(data, bytes):
            raise TypeError(f"the job function returned {type(data).__name__}, not bytes")
    except JobFailed as failed:
        error = str(failed) or _("The job failed.")
    except Exception as unexpected:  # noqa: BLE001  (recorded on the job; the worker goes on)
        current_app.logger.exception("Background job %s (%s) failed.", job_id, job.kind)
        what = f"{type(unexpected).__name__}: {unexpected}"
        error = _("The job failed unexpectedly (%(error)s).", error=what)
    if error is not None:
        session.rollback()
        _finish(session, job_id, status=JobStatus.FAILED, error=error[:2000], message=_("Failed"))
        return JobStatus.FAILED
    _finish(session, job_id, status=JobStatus.DONE, progress=100, message=_("Ready"), result=data,
            result_filename=filename[:255], result_mimetype=mimetype[:100],
            result_size=len(data))
    return JobStatus.DONE


def job_status(job: BackgroundJob) -> dict:
    """What the job page and its JSON show: status, progress, message, error."""
    stale_minutes = float(current_app.config.get("JOBS_STALE_MINUTES") or 0)
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "status_label": job.status_label,
        "progress": job.progress,
        "message": job.message,
        "error": job.error,
        "finished": job.finished,
        "stalled": job.stalled(stale_minutes),
        "filename": job.result_filename if job.status == JobStatus.DONE else "",
        "size": job.result_size if job.status == JobStatus.DONE else 0,
    }
