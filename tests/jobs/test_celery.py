"""The Celery path for real: a worker (and beat) started by the tests, on the local Redis,
with the test database, delivering mail and running background jobs."""

import os
import time

import pytest
from sqlalchemy import select

from meetingapp.audit.services import record
from meetingapp.extensions import db
from meetingapp.jobs.dispatch import dispatch_mode
from meetingapp.mail.services import queue_message
from meetingapp.models import BackgroundJob, OutboxMessage
from meetingapp.tasks import DELIVER_MAIL_TASK
from tests.factories import MeetingFactory
from tests.jobs.celery_service import CELERY_OPTIONS, Service, worker_environment
from tests.redis_service import REDIS_URL, RUN_TAG, redis_client_fixture

QUEUE = f"{RUN_TAG}-queue"


@pytest.fixture(scope="module")
def redis_client():
    yield from redis_client_fixture()


@pytest.fixture(scope="module")
def worker_env(_schema, redis_client, tmp_path_factory):
    return worker_environment(_schema, QUEUE, tmp_path_factory.mktemp("worker-mail"),
                              CELERY_MAIL_INTERVAL="1")


@pytest.fixture(scope="module")
def worker(worker_env):
    service = Service(["worker", "--pool", "solo", "--loglevel", "INFO", "--without-gossip",
                       "--without-mingle", "--without-heartbeat", "--hostname",
                       f"{QUEUE}@%h"], worker_env, ready=" ready.")
    yield service
    service.stop()


@pytest.fixture
def config_overrides(worker):
    return {"CELERY_BROKER_URL": REDIS_URL, "CELERY_QUEUE": QUEUE,
            "CELERY_OPTIONS": CELERY_OPTIONS}


def _wait_for(app, probe, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _job_status(job_id):
    job = db.session.get(BackgroundJob, job_id)
    return job.status if job.finished else None


def _sent(message_id):
    return db.session.get(OutboxMessage, message_id).status == "sent"


def test_a_job_started_by_a_request_runs_on_the_worker(app, staff_client, worker):
    assert dispatch_mode(app) == "celery"
    with app.app_context():
        meeting = MeetingFactory(title="Vienna 2004")
        record("update", meeting, meeting=meeting, actor="focal@example.org")
        db.session.commit()
        meeting_id = meeting.id
    response = staff_client.post("/jobs/audit-export", data={"meeting_id": meeting_id})
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _wait_for(app, lambda: _job_status(job_id)) == "done", worker.output
    assert staff_client.get(f"/jobs/{job_id}.json").get_json()["progress"] == 100
    body = staff_client.get(f"/jobs/{job_id}/download").get_data().decode("utf-8")
    assert "focal@example.org" in body and "start_job" in body
    assert "meetingapp.run_job" in worker.output


def test_mail_committed_by_a_request_is_delivered_by_the_worker(app, staff_client, worker,
                                                                 worker_env):
    app.config["MAIL_DELIVERY_SYNC"] = False  # as in production: not inside the request
    with app.app_context():
        message = queue_message("delegate@example.org", "Welcome to Almaty", "Text", None)
        message.status = "failed"
        db.session.commit()
        message_id = message.id
    response = staff_client.post(f"/mail/{message_id}/retry", data={})
    assert response.status_code == 302
    assert _wait_for(app, lambda: _sent(message_id)), worker.output
    files = os.listdir(worker_env["MEETINGAPP_MAIL_FILE_DIR"])
    assert any("welcome-to-almaty" in name for name in files)


def test_beat_delivers_due_mail_when_nobody_uses_the_site(app, worker, worker_env, tmp_path):
    with app.app_context():
        message = queue_message("delegate@example.org", "Nairobi 2007", "Text", None)
        db.session.commit()  # no request: nothing delivers it but the schedule
        message_id = message.id
    beat = Service(["beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "schedule")],
                   worker_env, ready="beat: Starting")
    try:
        assert _wait_for(app, lambda: _sent(message_id)), beat.output + worker.output
    finally:
        beat.stop()
    assert f"Sending due task deliver-mail ({DELIVER_MAIL_TASK})" in beat.output


def test_beat_schedule_and_queue_come_from_the_configuration(app):
    celery = app.extensions["celery"]
    entry = celery.conf.beat_schedule["deliver-mail"]
    assert entry["task"] == DELIVER_MAIL_TASK and entry["options"]["queue"] == QUEUE
    assert celery.conf.task_default_queue == QUEUE
    assert app.config["CELERY_MAIL_INTERVAL"] == entry["schedule"] == 60


def test_readyz_reports_the_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["broker"] == "ok"


def test_no_job_is_left_queued_and_no_pidbox_keys_are_made(app, worker, redis_client):
    with app.app_context():
        assert db.session.scalars(select(BackgroundJob).where(
            BackgroundJob.status == "queued")).all() == []
    assert not [key for key in redis_client.scan_iter(match="*pidbox*")]
