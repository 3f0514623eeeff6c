"""Starting a background job and running it.

``start_job`` adds and flushes, like every service; the job is dispatched
when the caller's transaction commits (see ``dispatch``). ``run_job`` is what
a Celery worker, a thread or the request itself calls with the job's id.
"""

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, and_, or_, select, update

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
# (seconds; at most a sixth of JOBS_STALE_MINUTES), so that a long step is never taken
# for a dead worker's job.
HEARTBEAT_INTERVAL = 30
# How many times a job is run: a job whose worker died runs once more, then fails.
JOB_ATTEMPTS = 2
# A job not yet received by the broker this long after its commit is sent again.
SEND_GRACE_SECONDS = 10


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
    recover_stalled_jobs()  # whoever starts a job also recovers the ones a dead worker left
    with in_language("en"):  # the audit log keeps English labels
        label = str(job_kind.title)
    record("start_job", job, meeting=meeting, user=user, label=label,
           changes={"kind": kind})
    _send_after_commit(job.id)  # handed on when the transaction commits (see ``dispatch``)
    return job


def dispatch_mode(app) -> str:
    """"sync", "celery" or "thread": where this app runs its jobs."""
    sync = app.config.get("JOBS_SYNC")
    if sync is True:
        return "sync"
    if app.config.get("CELERY_BROKER_URL"):
        return "celery"
    if sync is None and app.testing:
        return "sync"
    return "thread"


def stale_minutes() -> float:
    """JOBS_STALE_MINUTES: a running job silent this long lost its worker (0: never)."""
    return max(0.0, float(current_app.config.get("JOBS_STALE_MINUTES") or 0))


@dataclass
class SweepReport:
    """What one sweep did: jobs run again, failed after their last attempt, sent again."""

    retried: int = 0
    failed: int = 0
    resent: int = 0


def _send_after_commit(job_id: int) -> None:
    db.session().info.setdefault(PENDING, []).append(job_id)


def interrupt_job(job_id: int, *, silent_since=None, now=None) -> str | None:
    """The worker running ``job_id`` died: queue it again (sent after commit) if it has an
    attempt left, else fail it with words for the person waiting. Only a job still running
    (and, with ``silent_since``, silent since then) is touched. Flushes; returns the new
    status, or None if nothing changed."""
    row = db.session.execute(select(BackgroundJob.attempts, BackgroundJob.params)
                             .where(BackgroundJob.id == job_id)).one_or_none()
    if row is None:
        return None
    attempts, params = row
    now = now or utcnow()
    with in_language((params or {}).get("language")):
        if attempts < JOB_ATTEMPTS:
            status = JobStatus.QUEUED
            values = {"progress": 0, "sent_at": None,
                      "message": _("The worker running this job stopped; it will run again.")}
        else:
            status = JobStatus.FAILED
            values = {"message": _("Failed"), "finished_at": now, "error": _(
                "The job was interrupted %(count)d times: the worker running it stopped "
                "(it was restarted or ran out of memory). Please start the job again; if it "
                "stops again, tell the administrator.", count=attempts)}
    condition = [BackgroundJob.id == job_id, BackgroundJob.status == JobStatus.RUNNING]
    if silent_since is not None:
        condition.append(BackgroundJob.updated_at < silent_since)
    # Conditional: a heartbeat or a finish written meanwhile wins.
    result = cast(CursorResult[Any], db.session.execute(
        update(BackgroundJob).where(*condition)
        .values(status=status, updated_at=now, **values)
        .execution_options(synchronize_session=False)))
    if not result.rowcount:
        return None
    if status == JobStatus.QUEUED:
        _send_after_commit(job_id)
    return status


def recover_stalled_jobs(now=None) -> SweepReport:
    """Recover what a dead worker or an unreachable broker left: a running job silent for
    JOBS_STALE_MINUTES runs once more, then fails with a message; with Celery, a queued
    job the broker never received (or lost) is sent again. Flushes; the jobs are sent
    when the caller commits. Run by beat, ``flask jobs sweep`` and every new job."""
    report = SweepReport()
    now = now or utcnow()
    minutes = stale_minutes()
    if minutes > 0:
        silent_since = now - timedelta(minutes=minutes)
        stalled = db.session.scalars(select(BackgroundJob.id).where(
            BackgroundJob.status == JobStatus.RUNNING,
            BackgroundJob.updated_at < silent_since).order_by(BackgroundJob.id)).all()
        for job_id in stalled:
            status = interrupt_job(job_id, silent_since=silent_since, now=now)
            if status == JobStatus.QUEUED:
                report.retried += 1
            elif status == JobStatus.FAILED:
                report.failed += 1
    if dispatch_mode(current_app) == "celery":
        # Never received (the broker was down at commit), or received so long ago that the
        # message was lost: sent again. A job taken meanwhile is not run twice (_claim).
        lost_before = now - timedelta(minutes=minutes or 30)
        waiting = db.session.scalars(select(BackgroundJob.id).where(
            BackgroundJob.status == JobStatus.QUEUED,
            or_(and_(BackgroundJob.sent_at.is_(None),
                     BackgroundJob.updated_at < now - timedelta(seconds=SEND_GRACE_SECONDS)),
                BackgroundJob.sent_at < lost_before)).order_by(BackgroundJob.id)).all()
        for job_id in waiting:
            _send_after_commit(job_id)
        report.resent = len(waiting)
    return report


class ProgressReporter:
    """``report_progress(percent, message="")`` for a job function: commits, throttled."""

    def __init__(self, session, job: BackgroundJob):
        self.session = session
        self.job = job
        self.last_write = float("-inf")
        stale = stale_minutes() * 60
        self.heartbeat = min(HEARTBEAT_INTERVAL, stale / 6) if stale else HEARTBEAT_INTERVAL

    def __call__(self, percent: float, message: str = "") -> None:
        """Record ``percent`` (0-100) and a message for the person waiting; ends the transaction."""
        percent = max(0, min(99, int(percent)))  # 100 is "done", set by the runner
        message = (message or self.job.message or "")[:300]
        now = time.monotonic()
        changed = (percent, message) != (self.job.progress, self.job.message)
        if ((changed and now - self.last_write >= PROGRESS_INTERVAL)
                or now - self.last_write >= self.heartbeat):
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
        .values(status=JobStatus.RUNNING, started_at=now, updated_at=now, message=_("Started"),
                attempts=BackgroundJob.attempts + 1)
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
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "status_label": job.status_label,
        "progress": job.progress,
        "message": _waiting_message(job) if job.status == JobStatus.QUEUED else job.message,
        "error": job.error,
        "finished": job.finished,
        "stalled": job.stalled(stale_minutes()),
        "filename": job.result_filename if job.status == JobStatus.DONE else "",
        "size": job.result_size if job.status == JobStatus.DONE else 0,
    }


def _waiting_message(job: BackgroundJob) -> str:
    """What a queued job is waiting for, in words."""
    if job.attempts:
        return _("The worker running this job stopped. Waiting for a worker to run it again "
                 "(attempt %(attempt)d of %(attempts)d).", attempt=job.attempts + 1,
                 attempts=JOB_ATTEMPTS)
    if dispatch_mode(current_app) != "celery":
        return job.message
    if job.sent_at is None:
        return _("Waiting for a worker: the job queue cannot be reached just now. The job "
                 "will be sent automatically as soon as it is back; you can leave this page.")
    return _("Waiting for a worker")
