"""Where Celery workers and beat start (``celery -A meetingapp.tasks worker``).

The Flask app is built from the environment when Celery first asks for ``app``, so that
importing this module builds nothing; the tasks themselves are in ``background``.
"""

from celery import Celery

from . import ConfigurationError, create_app
from .background import DELIVER_MAIL_TASK, EXTENSION, RUN_JOB_TASK, SWEEP_JOBS_TASK

__all__ = ["DELIVER_MAIL_TASK", "RUN_JOB_TASK", "SWEEP_JOBS_TASK", "make_celery"]

_worker_celery: Celery | None = None


def make_celery() -> Celery:
    """The Celery app of a Flask app built from the environment (for ``celery -A``)."""
    global _worker_celery
    if _worker_celery is None:
        try:
            flask_app = create_app()
        except ConfigurationError as error:
            raise SystemExit(f"meetingapp: {error}") from None
        if EXTENSION not in flask_app.extensions:
            raise SystemExit("meetingapp: set MEETINGAPP_CELERY_BROKER_URL "
                             "(e.g. redis://127.0.0.1:6379/1) to run Celery.")
        _worker_celery = flask_app.extensions[EXTENSION]
    return _worker_celery


def __getattr__(name: str):
    # `celery -A meetingapp.tasks` looks up `app`: built on demand.
    if name in ("app", "celery"):
        return make_celery()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
