"""A job kind for the recovery tests, imported by the test and by the Celery workers they
start (``--include tests.jobs.slow_kind``): it sleeps in steps, reporting its progress."""

import time

from meetingapp.jobs import job_kind


@job_kind("test-slow-steps", title="Slow steps")
def slow_steps(job, report_progress):
    """``steps`` steps of ``pause`` seconds each; the file says how many were made."""
    steps = int(job.params.get("steps", 10))
    for step in range(steps):
        report_progress(100 * step / steps, f"Step {step + 1} of {steps}")
        time.sleep(float(job.params.get("pause", 0.3)))
    return f"{steps} steps made".encode(), "steps.txt", "text/plain"
