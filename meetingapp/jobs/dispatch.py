"""Dispatch after commit: a job starts only once the transaction that queued it commits.

``start_job`` notes the job's id on the session (``services.PENDING``); when that session's
transaction commits, each noted job is handed on: to Celery when a broker is
configured, run right there when JOBS_SYNC (or TESTING), otherwise to a small
pool of threads in this process. A rollback forgets the ids. Nothing here
raises into the caller: a job that could not be handed on stays queued.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, update

from ..extensions import db
from ..models import BackgroundJob, utcnow
from .services import PENDING, dispatch_mode, run_job

EXECUTOR = "meetingapp.jobs.executor"
RUN_JOB_TASK = "meetingapp.run_job"

_executor_lock = threading.Lock()


@event.listens_for(FlaskSession, "after_commit")
def _jobs_committed(session) -> None:
    if session.in_nested_transaction():
        return
    job_ids = session.info.pop(PENDING, None)
    if job_ids:
        dispatch(job_ids)


@event.listens_for(FlaskSession, "after_transaction_end")
def _transaction_ended(session, transaction) -> None:
    # After a commit the ids are gone already; after a rollback they go.
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def _executor(app: Flask) -> ThreadPoolExecutor:
    with _executor_lock:
        if EXECUTOR not in app.extensions:
            workers = max(1, int(app.config.get("JOBS_THREADS") or 1))
            app.extensions[EXECUTOR] = ThreadPoolExecutor(workers, thread_name_prefix="job")
        return app.extensions[EXECUTOR]


def _run_in_app_context(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        except Exception:  # noqa: BLE001  (the job stays as it was; the log says why)
            app.logger.exception("Background job %s could not be run.", job_id)


def dispatch(job_ids: list[int]) -> None:
    """Hand each committed job on to Celery, a thread or (sync) run it now; never raises."""
    app = current_app._get_current_object()
    mode = dispatch_mode(app)
    sent = []
    for job_id in job_ids:
        try:
            if mode == "celery":
                celery = app.extensions["celery"]
                celery.send_task(RUN_JOB_TASK, args=[job_id],
                                 queue=app.config.get("CELERY_QUEUE") or "meetingapp")
                sent.append(job_id)
            elif mode == "sync":
                # A fresh app context: a session of its own, as on a worker.
                _run_in_app_context(app, job_id)
            else:
                _executor(app).submit(_run_in_app_context, app, job_id)
        except Exception:  # noqa: BLE001
            app.logger.exception("Background job %s could not be started; it stays queued "
                                 "and is sent again by the next sweep.", job_id)
    if sent:
        _note_sent(app, sent)


def _note_sent(app: Flask, job_ids: list[int]) -> None:
    # The broker has them: the sweep leaves them alone (a job never noted is sent again).
    try:
        with db.engine.begin() as connection:
            connection.execute(update(BackgroundJob).where(BackgroundJob.id.in_(job_ids))
                               .values(sent_at=utcnow()))
    except Exception:  # noqa: BLE001  (at worst the sweep sends them again: run once, _claim)
        app.logger.exception("Could not note background jobs %s as sent.", job_ids)


def wait_for_threads(app: Flask) -> None:
    """Wait for every job handed to this app's threads (tests and shutdown)."""
    with _executor_lock:
        executor = app.extensions.pop(EXECUTOR, None)
    if executor is not None:
        executor.shutdown(wait=True)
