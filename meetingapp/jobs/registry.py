"""The job kinds: ``@job_kind("name")`` registers the function that makes a job's file.

A job function takes ``(job, report_progress)`` and returns
``(data: bytes, filename: str, mimetype: str)``. ``job.params`` holds what
``start_job`` was given, ``job.meeting`` the meeting. It runs in an app
context, on a Celery worker, in a thread or in the request, and only reads:
``report_progress(percent, message)`` commits the session so that the
progress shows. Call it after reading and before a long computation: the
commit also ends the job's transaction, which on SQLite holds the database's
write lock (web requests wait for it). Raise ``JobFailed("words for the
user")`` to fail cleanly.
"""

from collections.abc import Callable
from dataclasses import dataclass

ProgressReporter = Callable[..., None]
JobFunction = Callable[..., tuple[bytes, str, str]]


class JobFailed(Exception):
    """The job cannot make its file; the message is shown to the user as it is."""


@dataclass(frozen=True)
class JobKind:
    """A registered kind of job."""

    name: str
    function: JobFunction
    title: str


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, title: str | None = None):
    """Register the decorated function as the job kind ``name`` (its file's maker)."""
    if not name or len(name) > 50:
        raise ValueError(f"A job kind needs a name of 1 to 50 characters, not {name!r}.")

    def decorator(function: JobFunction) -> JobFunction:
        known = _KINDS.get(name)
        if known is not None and known.function.__qualname__ != function.__qualname__:
            raise ValueError(f"The job kind {name!r} is registered already.")
        _KINDS[name] = JobKind(name, function, title or name)
        return function

    return decorator


def get_kind(name: str) -> JobKind:
    """The registered kind ``name``; ``KeyError`` if there is none."""
    return _KINDS[name]
