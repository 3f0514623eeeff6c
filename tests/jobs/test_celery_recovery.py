"""Recovery on the Celery path, for real: a broker that cannot be reached when a job is
committed, and workers killed with SIGKILL while they run a job (local Redis, real
worker processes, the test database)."""

import os
import signal
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from meetingapp.extensions import db
from meetingapp.jobs import start_job
from meetingapp.models import BackgroundJob, utcnow
from tests.jobs import slow_kind  # noqa: F401  (registers test-slow-steps here too)
from tests.jobs.celery_service import CELERY_OPTIONS, Service, worker_environment
from tests.redis_service import REDIS_URL, RUN_TAG, redis_client_fixture

QUEUE = f"{RUN_TAG}-recovery"
STALE_MINUTES = 0.1  # six seconds: a live job here says it is alive every second
KIND = "test-slow-steps"


@pytest.fixture(scope="module")
def redis_client():
    yield from redis_client_fixture()


@pytest.fixture(scope="module")
def worker_env(_schema, redis_client, tmp_path_factory):
    return worker_environment(_schema, QUEUE, tmp_path_factory.mktemp("recovery-mail"),
                              JOBS_STALE_MINUTES=str(STALE_MINUTES), JOBS_SWEEP_INTERVAL="1")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def config_overrides(request, redis_client):
    broker = getattr(request, "param", REDIS_URL)
    return {"CELERY_BROKER_URL": broker, "CELERY_QUEUE": QUEUE,
            "CELERY_OPTIONS": CELERY_OPTIONS, "JOBS_STALE_MINUTES": STALE_MINUTES}


def _worker(env, pool="solo", name="first"):
    args = ["worker", "--pool", pool, "--loglevel", "INFO", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--hostname", f"{QUEUE}-{name}@%h",
            "--include", "tests.jobs.slow_kind"]
    if pool == "prefork":
        args += ["--concurrency", "1"]
    return Service(args, env, ready=" ready.")


def _job(app, job_id):
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        job.result  # noqa: B018  (load the deferred column)
        db.session.expunge(job)
        return job


def _wait_for(app, probe, timeout=60.0, what="the job"):
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}.", pytrace=False)
        time.sleep(0.2)


def _running_with_progress(job_id, attempt):
    job = db.session.get(BackgroundJob, job_id)
    return job.status == "running" and job.attempts == attempt and job.progress > 0


def _start_slow_job(app, steps):
    with app.app_context():
        job = start_job(KIND, {"steps": steps, "pause": 0.3})
        db.session.commit()  # sent to the worker
        return job.id


def _kill(worker):
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(10)
    worker.stop()


def _sweep_until(runner, expected, timeout=60.0):
    """``flask jobs sweep`` until it reports ``expected`` (the heartbeat grows stale)."""
    deadline = time.monotonic() + timeout
    while True:
        output = runner.invoke(args=["jobs", "sweep"]).output
        if expected in output:
            return output
        if time.monotonic() > deadline:
            pytest.fail(f"The sweep never said {expected!r}: {output}", pytrace=False)
        time.sleep(0.5)


def test_a_job_whose_worker_is_killed_runs_again_on_another_worker(app, worker_env, runner,
                                                                   staff_client):
    first = _worker(worker_env)
    try:
        job_id = _start_slow_job(app, steps=15)
        _wait_for(app, lambda: _running_with_progress(job_id, 1), what="the first attempt")
        _kill(first)
    finally:
        first.stop()
    assert _job(app, job_id).status == "running"  # nobody has told the database yet
    second = _worker(worker_env, name="second")
    try:
        output = _sweep_until(runner, "1 stalled job(s) started again")
        assert "0 marked as failed" in output
        _wait_for(app, lambda: db.session.get(BackgroundJob, job_id).finished,
                  what="the second attempt")
    finally:
        second.stop()
    job = _job(app, job_id)
    # The rerun replaced whatever the first attempt had made.
    assert (job.status, job.attempts, job.result) == ("done", 2, b"15 steps made")
    page = staff_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Ready" in page and f"/jobs/{job_id}/download" in page


def test_a_job_killed_twice_fails_with_words_for_the_person(app, worker_env, runner,
                                                            staff_client):
    job_id = _start_slow_job(app, steps=200)  # sent now; the first worker to start takes it
    for attempt, name in ((1, "first"), (2, "second")):
        worker = _worker(worker_env, name=name)
        try:
            _wait_for(app, lambda attempt=attempt: _running_with_progress(job_id, attempt),
                      what=f"attempt {attempt}")
            _kill(worker)
        finally:
            worker.stop()
        if attempt == 1:
            _sweep_until(runner, "1 stalled job(s) started again")
    assert _job(app, job_id).status == "running"
    _sweep_until(runner, "0 stalled job(s) started again, 1 marked as failed")
    job = _job(app, job_id)
    assert job.status == "failed" and job.result is None
    assert job.error.startswith("The job was interrupted 2 times: the worker running it stopped")
    status = staff_client.get(f"/jobs/{job_id}.json").get_json()
    assert status["finished"] and status["status"] == "failed"
    assert "Please start the job again" in staff_client.get(f"/jobs/{job_id}").get_data(
        as_text=True)


def test_a_killed_pool_process_hands_its_job_on_at_once(app, worker_env):
    """Prefork: the worker's main process sees WorkerLostError; no sweep is needed."""
    env = dict(worker_env, MEETINGAPP_JOBS_STALE_MINUTES="30")  # the sweep cannot be it
    worker = _worker(env, pool="prefork", name="prefork")
    try:
        job_id = _start_slow_job(app, steps=10)
        _wait_for(app, lambda: _running_with_progress(job_id, 1), what="the first attempt")
        children = Path(f"/proc/{worker.process.pid}/task/{worker.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        assert len(pids) == 1, pids
        os.kill(pids[0], signal.SIGKILL)
        job = _wait_for(app, lambda: _finished(job_id), timeout=60, what="the rerun")
    finally:
        worker.stop()
    assert (job.status, job.attempts, job.result) == ("done", 2, b"10 steps made"), \
        worker.output
    assert "WorkerLostError" in worker.output or "lost its worker" in worker.output


def _finished(job_id):
    job = db.session.get(BackgroundJob, job_id)
    if not job.finished:
        return None
    job.result  # noqa: B018
    db.session.expunge(job)
    return job


@pytest.mark.parametrize("config_overrides", [f"redis://127.0.0.1:{_closed_port()}/0"],
                         indirect=True)
def test_a_job_committed_while_the_broker_is_down_is_sent_once_it_is_back(
        app, staff_client, worker_env, tmp_path):
    with app.app_context():
        meeting_id = _meeting(app)
    started = time.monotonic()
    response = staff_client.post("/jobs/audit-export", data={"meeting_id": meeting_id})
    assert response.status_code == 302 and time.monotonic() - started < 15
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = staff_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Waiting for a worker: the job queue cannot be reached just now" in page
    status = staff_client.get(f"/jobs/{job_id}.json").get_json()
    assert status["status"] == "queued" and not status["finished"]
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        assert job.sent_at is None and job.attempts == 0
        # The broker is back a while later (past the grace given to a commit's own send).
        db.session.execute(update(BackgroundJob).values(
            updated_at=utcnow().replace(microsecond=0).replace(year=2020)))
        db.session.commit()
    worker = _worker(worker_env, name="after-outage")
    beat = Service(["beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "schedule")],
                   worker_env, ready="beat: Starting")
    try:
        job = _wait_for(app, lambda: _finished(job_id), what="the job sent again by beat")
    finally:
        beat.stop()
        worker.stop()
    assert job.status == "done", worker.output
    assert "Sending due task sweep-jobs (meetingapp.sweep_jobs)" in beat.output
    assert b"start_job" in job.result


def test_the_sweep_command_sends_again_a_job_the_broker_never_received(app, worker_env,
                                                                      runner, staff_client):
    with app.app_context():
        job = BackgroundJob(kind=KIND, params={"steps": 2, "pause": 0.1}, status="queued",
                            progress=0, message="Waiting to start", error="",
                            result_filename="", result_mimetype="", result_size=0,
                            created_at=utcnow().replace(year=2020),
                            updated_at=utcnow().replace(year=2020))
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    worker = _worker(worker_env, name="cli")
    try:
        output = runner.invoke(args=["jobs", "sweep"]).output
        assert "1 waiting job(s) sent again" in output
        assert _job(app, job_id).sent_at is not None
        job = _wait_for(app, lambda: _finished(job_id), what="the job sent again")
    finally:
        worker.stop()
    assert (job.status, job.result) == ("done", b"2 steps made")
    assert "0 waiting job(s) sent again" in runner.invoke(args=["jobs", "sweep"]).output


def _meeting(app):
    from meetingapp.audit.services import record
    from tests.factories import MeetingFactory

    meeting = MeetingFactory(title="Almaty 2005")
    record("update", meeting, meeting=meeting, actor="focal@example.org")
    db.session.commit()
    return meeting.id
