"""Background jobs: files a user waits for, made after commit on a worker or a thread.

A feature registers a kind with ``@job_kind("name")`` (see ``registry``),
queues one with ``start_job`` in its view, commits, and redirects to
``url_for("jobs.detail", job_id=job.id)``: that page follows the job's
progress and ends in a download link (staff only).
"""

from flask import Blueprint

from .registry import JobFailed, job_kind
from .services import run_job, start_job

__all__ = ["JobFailed", "bp", "job_kind", "run_job", "start_job"]

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from . import audit_export, routes  # noqa: E402,F401  (the built-in kind; the views)
