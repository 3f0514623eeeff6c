"""Background jobs: files a user waits for, made after commit on a worker or a thread.

A feature registers a kind with ``@job_kind("name")`` (see ``registry``),
queues one with ``start_job`` in its view, commits, and redirects to
``url_for("jobs.detail", job_id=job.id)``: that page follows the job's
progress and ends in a download link (staff only).
"""

from flask import Flask

from . import audit_export, dispatch  # noqa: F401  (the built-in kind; dispatch after commit)
from .registry import JobFailed, job_kind
from .routes import bp
from .services import run_job, start_job

__all__ = ["JobFailed", "job_kind", "register", "run_job", "start_job"]


def register(app: Flask) -> None:
    """The job pages."""
    app.register_blueprint(bp)
