"""Background jobs without a broker: queued with the request's commit, run after it,
progress visible while running, the file downloadable by staff only."""

import csv
import io
import threading

import pytest
from sqlalchemy import select, text

from meetingapp.audit.services import record
from meetingapp.extensions import db
from meetingapp.jobs import JobFailed, job_kind, start_job
from meetingapp.jobs.dispatch import dispatch_mode, wait_for_threads
from meetingapp.models import AuditEntry, BackgroundJob
from tests.factories import MeetingFactory

seen_progress = []
release = threading.Event()


@job_kind("test-progress")
def _progress_job(job, report_progress):
    report_progress(40, "Almost half")
    # Read through another connection: what the job page would show now.
    with db.engine.connect() as connection:
        seen_progress.append(connection.execute(
            text("SELECT progress, message FROM background_jobs WHERE id = :id"),
            {"id": job.id}).one())
    return f"params={job.params['n']}".encode(), "result.txt", "text/plain"


@job_kind("test-refused")
def _refused_job(job, report_progress):
    raise JobFailed("Nothing to export for this meeting.")


@job_kind("test-broken")
def _broken_job(job, report_progress):
    return 1 / 0


@job_kind("test-waits")
def _waiting_job(job, report_progress):
    assert release.wait(10)
    return b"late", "late.txt", "text/plain"


def _job(app, job_id):
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        job.result  # noqa: B018  (load the deferred column)
        db.session.expunge(job)
        return job


def _meeting_with_audit_entries(app, n=3):
    with app.app_context():
        meeting = MeetingFactory(title="First Special Meeting — New York")
        for i in range(n):
            record("update", meeting, meeting=meeting, actor=f"staff{i}@example.org",
                   label="=SUM(1,2)", changes={"venue": ["Old", f"Room {i}"]})
        record("update", MeetingFactory(), actor="other@example.org")  # another meeting
        db.session.commit()
        return meeting.id


def test_audit_export_runs_after_commit_and_downloads_as_csv(app, staff_client):
    meeting_id = _meeting_with_audit_entries(app)
    page = staff_client.get(f"/audit/?meeting={meeting_id}").get_data(as_text=True)
    assert "Export this meeting's audit log (CSV)" in page
    response = staff_client.post("/jobs/audit-export", data={"meeting_id": meeting_id})
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])

    job = _job(app, job_id)
    assert (job.status, job.progress, job.kind) == ("done", 100, "audit-export")
    assert job.created_by_id == staff_client.user.id and job.meeting_id == meeting_id
    assert job.result_filename.startswith("audit-log-first-special-meeting-new-york-")

    page = staff_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Ready" in page and f"/jobs/{job_id}/download" in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing to refresh

    download = staff_client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert "attachment" in download.headers["Content-Disposition"]
    body = download.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:4] == ["Time (UTC)", "Time (America/New_York)", "Actor", "Action"]
    assert [row[2] for row in rows[1:4]] == [f"staff{i}@example.org" for i in range(3)]
    assert "other@example.org" not in body  # only this meeting's entries
    assert rows[1][6] == "'=SUM(1,2)"  # cells that would be formulas are defused
    with app.app_context():
        started = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "start_job")).one()
        assert started.object_id == job_id and started.meeting_id == meeting_id


def test_job_status_json_and_page_poll_without_inline_script(app, staff_client):
    with app.app_context():
        job = BackgroundJob(kind="test-waits", params={}, status="running", progress=30,
                            message="Page 3 of 10")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    status = staff_client.get(f"/jobs/{job_id}.json")
    assert status.headers["Cache-Control"] == "no-store"
    assert status.get_json() == {
        "id": job_id, "kind": "test-waits", "status": "running", "status_label": "Running",
        "progress": 30, "message": "Page 3 of 10", "error": "", "finished": False,
        "stalled": False, "filename": "", "size": 0, "download_url": ""}
    page = staff_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert '<progress id="job-progress" class="w-100" max="100" value="30">' in page
    assert f'data-status-url="/jobs/{job_id}.json"' in page
    assert '<script src="/static/js/jobs.js" defer></script>' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert staff_client.get(f"/jobs/{job_id}/download").status_code == 404  # not ready
    assert staff_client.get("/static/js/jobs.js").status_code == 200


def test_progress_is_committed_while_the_job_runs(app):
    seen_progress.clear()
    with app.app_context():
        job = start_job("test-progress", {"n": 7})
        db.session.commit()
        job_id = job.id
    assert [tuple(row) for row in seen_progress] == [(40, "Almost half")]
    job = _job(app, job_id)
    assert (job.status, job.result, job.result_size) == ("done", b"params=7", 8)


@pytest.mark.parametrize("kind, error", [
    ("test-refused", "Nothing to export for this meeting."),
    ("test-broken", "The job failed unexpectedly (ZeroDivisionError: division by zero)."),
])
def test_a_failing_job_is_marked_failed_with_its_reason(app, staff_client, kind, error):
    with app.app_context():
        job = start_job(kind)
        db.session.commit()
        job_id = job.id
    job = _job(app, job_id)
    assert (job.status, job.error, job.result) == ("failed", error, None)
    page = staff_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Failed" in page and error.split(" (")[0] in page


def test_a_rolled_back_job_never_runs(app):
    with app.app_context():
        start_job("test-progress", {"n": 1})
        db.session.rollback()
        db.session.commit()
        assert db.session.scalars(select(BackgroundJob)).all() == []


def test_unknown_kind_and_non_json_parameters_are_refused(app):
    with app.app_context():
        with pytest.raises(ValueError, match="no job kind"):
            start_job("no-such-kind")
        with pytest.raises(ValueError, match="JSON"):
            start_job("test-progress", {"when": object()})


def test_jobs_are_for_staff_only(app, client, checkin_client, staff_client):
    with app.app_context():
        job = start_job("test-progress", {"n": 2})
        db.session.commit()
        job_id = job.id
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}.json", f"/jobs/{job_id}/download"):
        assert client.get(path).status_code == 302  # to the sign-in page
        assert checkin_client.get(path).status_code == 403
        assert staff_client.get(path).status_code == 200
    assert checkin_client.post("/jobs/audit-export", data={"meeting_id": 1}).status_code == 403


@pytest.fixture
def config_overrides(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("config_overrides", [{"JOBS_SYNC": False}], indirect=True)
def test_without_broker_or_sync_a_job_runs_in_a_thread(app):
    assert dispatch_mode(app) == "thread"
    release.clear()
    with app.app_context():
        job = start_job("test-waits")
        db.session.commit()
        job_id = job.id
    assert _job(app, job_id).status in ("queued", "running")  # the commit did not wait
    release.set()
    wait_for_threads(app)
    assert _job(app, job_id).status == "done"


def _silent_job(kind, status, attempts, minutes, **values):
    from datetime import timedelta

    from meetingapp.models import utcnow

    silent = utcnow() - timedelta(minutes=minutes)
    fields = dict(kind=kind, params={"n": 5}, status=status, progress=40, message="Almost half",
                  error="", result_filename="", result_mimetype="", result_size=0,
                  attempts=attempts, created_at=silent, updated_at=silent)
    fields.update(values)
    return BackgroundJob(**fields)


def test_a_dead_workers_job_runs_once_more_then_fails_with_words(app, staff_client, runner):
    app.config["JOBS_STALE_MINUTES"] = 3
    with app.app_context():
        first_try = _silent_job("test-progress", "running", 1, 4)  # killed on its 1st attempt
        second_try = _silent_job("test-waits", "running", 2, 4)  # killed on its 2nd attempt
        alive = _silent_job("test-waits", "running", 1, 2)  # silent, but not for 3 minutes
        waiting = _silent_job("test-waits", "queued", 0, 4)
        db.session.add_all([first_try, second_try, alive, waiting])
        db.session.commit()
        ids = first_try.id, second_try.id, alive.id, waiting.id
    status = staff_client.get(f"/jobs/{ids[1]}.json").get_json()
    assert status["stalled"] and not status["finished"]  # shown as interrupted, not yet failed
    page = staff_client.get(f"/jobs/{ids[1]}").get_data(as_text=True)
    assert "It will be started again automatically" in page and "for 3 minutes" in page
    result = runner.invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 stalled job(s) started again, 1 marked as failed" in result.output
    retried, failed, alive, waiting = (_job(app, job_id) for job_id in ids)
    # Run again (here at once, JOBS_SYNC): a rerun replaces the partial result.
    assert (retried.status, retried.attempts, retried.result) == ("done", 2, b"params=5")
    assert failed.status == "failed" and failed.finished_at is not None
    assert failed.error.startswith("The job was interrupted 2 times: the worker running it "
                                   "stopped")
    assert (alive.status, waiting.status) == ("running", "queued")  # neither is dead
    status = staff_client.get(f"/jobs/{ids[1]}.json").get_json()
    assert status["finished"] and status["status"] == "failed"
    assert "Please start the job again" in staff_client.get(f"/jobs/{ids[1]}").get_data(
        as_text=True)
    assert "0 stalled job(s) started again, 0 marked" in runner.invoke(
        args=["jobs", "sweep"]).output


def test_interrupted_jobs_speak_their_starters_language(app, staff_client, runner):
    app.config["JOBS_STALE_MINUTES"] = 3
    with app.app_context():
        job = _silent_job("test-waits", "running", 2, 4, params={"language": "fr"})
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    runner.invoke(args=["jobs", "sweep"])
    job = _job(app, job_id)
    assert job.status == "failed" and "2" in job.error
    assert not job.error.startswith("The job was interrupted")  # French, not English


def test_a_job_requeued_after_its_worker_died_says_so(app, staff_client):
    from meetingapp.jobs.services import interrupt_job

    app.config["JOBS_SYNC"] = False  # nothing runs it: the page is seen while it waits
    with app.app_context():
        job = _silent_job("test-waits", "running", 1, 0)
        db.session.add(job)
        db.session.commit()
        assert interrupt_job(job.id) == "queued"
        db.session.rollback()  # nothing is sent for a rolled back interruption
        assert interrupt_job(job.id) == "queued"
        assert interrupt_job(job.id) is None  # not running any more: untouched
        db.session.info.pop("meetingapp.jobs.pending")
        db.session.commit()
        job_id = job.id
    status = staff_client.get(f"/jobs/{job_id}.json").get_json()
    assert (status["status"], status["progress"]) == ("queued", 0)
    assert status["message"] == ("The worker running this job stopped. Waiting for a worker "
                                 "to run it again (attempt 2 of 2).")


def test_a_job_still_saying_it_is_alive_is_not_taken_for_dead(app):
    from datetime import timedelta

    from meetingapp.jobs.services import interrupt_job
    from meetingapp.models import utcnow

    with app.app_context():
        job = _silent_job("test-waits", "running", 1, 0)
        db.session.add(job)
        db.session.commit()
        # Its heartbeat came after the sweep read it as silent: left running.
        assert interrupt_job(job.id, silent_since=utcnow() - timedelta(minutes=3)) is None
        assert interrupt_job(10_000) is None  # no such job
        db.session.commit()
        assert db.session.get(BackgroundJob, job.id).status == "running"


def test_a_job_swept_as_interrupted_is_not_turned_done_by_its_late_worker(app):
    from meetingapp.jobs.services import _finish

    with app.app_context():
        job = BackgroundJob(kind="test-waits", params={}, status="failed", progress=40,
                            message="", error="Interrupted: no progress for 30 minutes",
                            result_filename="", result_mimetype="", result_size=0)
        db.session.add(job)
        db.session.commit()
        _finish(db.session, job.id, status="done", progress=100, result=b"late")
        job_id = job.id
    job = _job(app, job_id)
    assert job.status == "failed" and job.error.startswith("Interrupted")


def test_a_long_step_still_says_it_is_alive(app, monkeypatch):
    """Progress unchanged for 30 seconds is written again (updated_at), so the sweep
    never takes a live job for a dead worker's."""
    from meetingapp.jobs import services

    with app.app_context():
        job = BackgroundJob(kind="test-waits", params={}, status="running", progress=10,
                            message="Laying out", error="", result_filename="",
                            result_mimetype="", result_size=0)
        db.session.add(job)
        db.session.commit()
        report = services.ProgressReporter(db.session, job)
        clock = [1000.0]
        monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
        report(10, "Laying out")
        first = job.updated_at
        clock[0] += 20
        report(10, "Laying out")
        assert job.updated_at == first  # nothing new, not 30 seconds yet
        clock[0] += 11
        report(10, "Laying out")
        assert job.updated_at > first
