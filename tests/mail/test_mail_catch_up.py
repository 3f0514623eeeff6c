"""After an SMTP outage the outbox catches up within minutes, and staff can make it go now."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from meetingapp.extensions import db
from meetingapp.mail.services import deliver_due, queue_message
from meetingapp.models import AuditEntry, OutboxMessage, utcnow
from tests.factories import MeetingFactory

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


def _queue(n=1, **options):
    ids = [queue_message(f"delegate{i}@example.org", f"Message {i}", f"Text {i}", None,
                         **options).id for i in range(n)]
    db.session.commit()
    return ids


def _rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_mail_queued_at_the_start_of_a_two_hour_outage_leaves_minutes_after_recovery(
        app, smtp_server):
    smtp_server.stop()
    with app.app_context():
        _queue(2)
        start = utcnow()
        recovery = start + timedelta(hours=2)
        when, delays = start, []
        while when < recovery:
            assert deliver_due(now=when).retried == 2
            rows = _rows()
            assert {r.status for r in rows} == {"queued"}  # more than 10 attempts, not failed
            assert "refused" in rows[0].last_error.lower()
            delays.append(rows[0].next_attempt_at - when)
            when = rows[0].next_attempt_at
        assert max(delays) <= timedelta(minutes=5)
        assert rows[0].attempts > app.config["MAIL_MAX_ATTEMPTS"]

        smtp_server.start()
        assert when - recovery <= timedelta(minutes=5)
        assert deliver_due(now=when).sent == 2
        assert {r.status for r in _rows()} == {"sent"}
    assert len(smtp_server.received) == 2


def test_after_the_first_day_the_usual_delays_and_attempt_limit_apply(app, smtp_server):
    smtp_server.stop()
    with app.app_context():
        old_id, young_id = _queue(2)
        now = utcnow()
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == old_id)
                           .values(created_at=now - timedelta(hours=25), attempts=9))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == young_id)
                           .values(created_at=now - timedelta(hours=23), attempts=40))
        db.session.commit()
        report = deliver_due(now=now)
        assert (report.failed, report.retried) == (1, 1)
        old, young = _rows()
        assert old.status == "failed" and old.attempts == 10
        assert young.status == "queued" and young.next_attempt_at - now == timedelta(minutes=5)


def test_permanent_refusal_is_not_retried_quickly(app, smtp_server):
    smtp_server.refuse("550")
    with app.app_context():
        _queue(1)
        assert deliver_due().failed == 1
        assert deliver_due(now=utcnow() + timedelta(minutes=5)).handled == 0
    assert smtp_server.received == []


def test_staff_send_waiting_mail_now_after_recovery(app, staff_client, smtp_server):
    smtp_server.stop()
    with app.app_context():
        meeting = MeetingFactory()
        db.session.commit()
        meeting_id = meeting.id
        _queue(2, meeting=meeting)
        _queue(1)
        assert deliver_due().retried == 3
    page = staff_client.get("/mail/").get_data(as_text=True)
    assert "Send waiting e-mail now" in page

    smtp_server.start()
    response = staff_client.post("/mail/send-waiting", data={"meeting": str(meeting_id)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/mail/?meeting={meeting_id}")
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        "delegate0@example.org", "delegate1@example.org"]  # only that meeting's

    response = staff_client.post("/mail/send-waiting", data={}, follow_redirects=True)
    assert "Waiting messages sent now: 1." in response.get_data(as_text=True)
    assert len(smtp_server.received) == 3
    with app.app_context():
        assert {r.status for r in _rows()} == {"sent"}
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "send_waiting_now")).all()
        assert [e.changes["messages"] for e in entries] == [2, 1]
        assert entries[0].actor == "staff@example.org"
    page = staff_client.get("/mail/").get_data(as_text=True)
    assert "Send waiting e-mail now" not in page  # nothing waits any more


@pytest.mark.parametrize("meeting", ["abc", "<script>alert(1)</script>", "١٢", "9" * 40,
                                     "-1", "1.5", "مؤتمر"])
def test_send_waiting_ignores_a_meeting_that_is_not_an_id(app, staff_client, smtp_server,
                                                          meeting):
    smtp_server.stop()
    with app.app_context():
        _queue(1)
        deliver_due()
    smtp_server.start()
    response = staff_client.post("/mail/send-waiting", data={"meeting": meeting})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mail/")
    assert len(smtp_server.received) == 1


def test_send_waiting_is_for_staff_only_and_needs_post(app, client, checkin_client):
    assert client.post("/mail/send-waiting").status_code in (302, 401)
    assert checkin_client.post("/mail/send-waiting").status_code == 403
    assert checkin_client.get("/mail/send-waiting").status_code in (403, 405)


def test_a_wrong_password_is_not_retried_as_quickly(app, smtp_server, monkeypatch):
    import smtplib

    def refuse_login(self, *args, **kwargs):
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed")

    monkeypatch.setattr(smtplib.SMTP, "login", refuse_login)
    app.config.update(MAIL_USERNAME="secretariat", MAIL_PASSWORD="wrong")
    with app.app_context():
        _queue(1)
        now = utcnow()
        for attempts, minutes in ((1, 1), (2, 5), (3, 15)):
            assert deliver_due(now=now).retried == 1
            [row] = _rows()
            assert row.attempts == attempts and "535" in row.last_error
            assert row.next_attempt_at - now == timedelta(minutes=minutes)
            now = row.next_attempt_at
