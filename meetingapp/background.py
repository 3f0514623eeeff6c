"""Celery, when MEETINGAPP_CELERY_BROKER_URL is set: outbox delivery and background jobs.

``create_app`` builds one Celery app per Flask app (``init_celery``), whose
tasks run inside that Flask app's context. Workers and beat start from
``meetingapp.tasks``, which builds the Flask app from the environment when Celery asks:

    celery -A meetingapp.tasks worker --loglevel INFO
    celery -A meetingapp.tasks beat --loglevel INFO   # exactly one, anywhere

Beat sends "deliver the outbox" every CELERY_MAIL_INTERVAL seconds, so that
retries happen even when nobody uses the site, and "sweep the jobs" every
JOBS_SWEEP_INTERVAL seconds (a job whose worker died runs once more, then fails; a
job the broker never received is sent again); a request that queued mail
sends the same task at once. A worker that loses the process running a job
(``WorkerLostError``: killed, out of memory) hands the job on at once. Without a
broker none of this is used: mail and jobs run in the web process
(meetingapp/mail/dispatch.py, meetingapp/jobs).
"""

import os

from billiard.exceptions import WorkerLostError
from celery import Celery, Task
from celery.signals import task_failure
from flask import Flask

from .extensions import db
from .jobs.services import interrupt_job, recover_stalled_jobs, run_job
from .mail import dispatch
from .mail.delivery import deliver_due

DELIVER_MAIL_TASK = "meetingapp.deliver_mail"
RUN_JOB_TASK = "meetingapp.run_job"
SWEEP_JOBS_TASK = "meetingapp.sweep_jobs"
EXTENSION = "celery"


def init_celery(app: Flask) -> Celery | None:
    """Attach a Celery app to ``app`` when a broker is configured (else None)."""
    broker = app.config.get("CELERY_BROKER_URL")
    if not broker:
        return None
    flask_app = app

    class FlaskTask(Task):
        """A task that runs inside the Flask app's context (database session, config)."""

        def __call__(self, *args, **kwargs):
            with flask_app.app_context():
                return self.run(*args, **kwargs)

    queue = app.config.get("CELERY_QUEUE") or "meetingapp"
    interval = float(app.config.get("CELERY_MAIL_INTERVAL") or 60)
    sweep = float(app.config.get("JOBS_SWEEP_INTERVAL") or 60)
    celery = Celery(app.import_name, task_cls=FlaskTask, set_as_current=False)
    celery.conf.update(
        broker_url=broker,
        broker_connection_retry_on_startup=True,
        task_default_queue=queue,
        # Results live in the database (outbox rows, background_jobs): no backend.
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        beat_schedule={
            "deliver-mail": {
                "task": DELIVER_MAIL_TASK,
                "schedule": interval,
                # A run not started within one interval is replaced by the next.
                "options": {"queue": queue, "expires": interval},
            },
            "sweep-jobs": {
                "task": SWEEP_JOBS_TASK,
                "schedule": sweep,
                "options": {"queue": queue, "expires": sweep},
            },
        },
        beat_schedule_filename=os.path.join(app.instance_path, "celerybeat-schedule"),
    )
    # Any other Celery setting, by its Celery name (e.g. broker_transport_options).
    celery.conf.update(app.config.get("CELERY_OPTIONS") or {})
    _register_tasks(celery)
    _watch_lost_workers(app, celery)
    app.extensions[EXTENSION] = celery
    _deliver_mail_through(app, celery, queue)
    return celery


def _register_tasks(celery: Celery) -> None:
    @celery.task(name=DELIVER_MAIL_TASK, shared=False)
    def deliver_mail(limit: int = 1000) -> dict:
        """Deliver the outbox's due mail (safe to run on several workers at once)."""
        report = deliver_due(limit=limit)
        return {"sent": report.sent, "retried": report.retried, "failed": report.failed}

    @celery.task(name=SWEEP_JOBS_TASK, shared=False)
    def sweep_jobs() -> dict:
        """Recover the jobs a dead worker or an unreachable broker left (from beat)."""
        report = recover_stalled_jobs()
        db.session.commit()  # the jobs to run again are sent after this commit
        return {"retried": report.retried, "failed": report.failed, "resent": report.resent}

    @celery.task(name=RUN_JOB_TASK, shared=False)
    def run_background_job(job_id: int) -> str | None:
        """Run one background job (a no-op if another worker took it)."""
        return run_job(job_id)


def _watch_lost_workers(app: Flask, celery: Celery) -> None:
    """When the process running a job dies (WorkerLostError, reported by the worker's main
    process), run the job again or fail it now rather than at the next sweep."""

    def job_worker_lost(sender=None, exception=None, args=None, **kwargs) -> None:
        if (getattr(sender, "app", None) is not celery or sender.name != RUN_JOB_TASK
                or not isinstance(exception, WorkerLostError) or not args):
            return
        with app.app_context():
            try:
                status = interrupt_job(int(args[0]))
                db.session.commit()  # a job to run again is sent after this commit
            except Exception:  # noqa: BLE001  (the sweep recovers it later)
                db.session.rollback()
                app.logger.exception("Could not recover background job %s.", args[0])
                return
        app.logger.warning("Background job %s lost its worker process: %s.", args[0],
                           status or "already finished")

    # Celery keeps a weak reference: the Celery app keeps the handler alive.
    celery.meetingapp_job_worker_lost = job_worker_lost
    task_failure.connect(job_worker_lost)


class CeleryMailDispatcher:
    """Stands in for the mail module's delivery thread: hands delivery to a worker."""

    def __init__(self, celery: Celery, queue: str):
        self.celery = celery
        self.queue = queue

    def kick(self) -> None:
        """Ask a worker to deliver due mail now."""
        self.celery.send_task(DELIVER_MAIL_TASK, queue=self.queue)

    def poll(self, seconds: float) -> None:
        """Nothing to do: beat sends the delivery task on schedule."""

    def join(self, timeout: float | None = None) -> None:
        """Nothing runs in this process."""


def _deliver_mail_through(app: Flask, celery: Celery, queue: str) -> None:
    # meetingapp.mail.dispatch keeps its background dispatcher in this slot and
    # only creates its own thread-based one when the slot is empty.
    app.extensions[dispatch.EXTENSION] = CeleryMailDispatcher(celery, queue)
