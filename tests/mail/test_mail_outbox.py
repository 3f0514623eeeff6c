"""The staff outbox page, its Retry button, and the ``flask mail`` commands."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.mail.services import deliver_due, queue_message
from meetingapp.models import AuditEntry, OutboxMessage, utcnow
from tests.factories import MeetingFactory

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def config_overrides(smtp_config):
    return {**smtp_config, "PER_PAGE": 5}


def _make(subject, status="queued", meeting=None, **values):
    message = queue_message("ana@example.org", subject, f"Text of {subject}", None,
                            meeting=meeting, category=values.pop("category", "invitation"))
    message.status = status
    for field, value in values.items():
        setattr(message, field, value)
    db.session.commit()
    return message.id


def test_outbox_is_for_staff_only(app, client, checkin_client, staff_client):
    assert checkin_client.get("/mail/").status_code == 403
    assert checkin_client.get("/mail/1").status_code == 403
    assert checkin_client.post("/mail/1/retry").status_code == 403
    response = client.get("/mail/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert staff_client.get("/mail/").status_code == 200


def test_outbox_lists_and_filters_by_status_and_meeting(app, staff_client):
    with app.app_context():
        first, second = MeetingFactory(title="New York 2003"), MeetingFactory(title="Vienna 2004")
        _make("Invitation to New York", meeting=first, status="sent", attempts=1,
              sent_at=utcnow())
        _make("Reminder for New York", meeting=first, status="failed", attempts=1,
              last_error="550 5.1.1 Mailbox unavailable", category="reminder")
        _make("Invitation to Vienna", meeting=second, attempts=2,
              last_error="451 4.3.0 Try again", next_attempt_at=utcnow() + timedelta(hours=1))
        first_id = first.id

    page = staff_client.get("/mail/").get_data(as_text=True)
    assert all(s in page for s in ("Invitation to New York", "Reminder for New York",
                                   "Invitation to Vienna"))
    page = staff_client.get("/mail/?status=failed").get_data(as_text=True)
    assert "Reminder for New York" in page and "550 5.1.1 Mailbox unavailable" in page
    assert "Invitation to Vienna" not in page and "Invitation to New York" not in page
    page = staff_client.get(f"/mail/?meeting={first_id}").get_data(as_text=True)
    assert "Invitation to Vienna" not in page and "Reminder for New York" in page
    page = staff_client.get("/mail/?status=queued").get_data(as_text=True)
    assert "Invitation to Vienna" in page and "451 4.3.0 Try again" in page
    page = staff_client.get("/mail/?category=reminder").get_data(as_text=True)
    assert "Reminder for New York" in page and "Invitation to Vienna" not in page
    page = staff_client.get("/mail/?q=vienna").get_data(as_text=True)
    assert "Invitation to Vienna" in page and "Reminder for New York" not in page
    assert staff_client.get("/mail/?status=nonsense").status_code == 200


def test_outbox_is_paginated(app, staff_client):
    with app.app_context():
        for i in range(7):
            _make(f"Numbered message {i}", status="sent")
    first = staff_client.get("/mail/?status=sent").get_data(as_text=True)
    second = staff_client.get("/mail/?status=sent&page=2").get_data(as_text=True)
    assert first.count("Numbered message") == 5 and second.count("Numbered message") == 2
    assert "7 in all, page 1 of 2" in first and "status=sent" in first


def test_retry_button_queues_a_failed_message_again_and_it_is_delivered(
        app, admin_client, smtp_server):
    with app.app_context():
        message_id = _make("Lost invitation", status="failed", attempts=10,
                           last_error="550 5.1.1 Mailbox unavailable")
    response = admin_client.post(f"/mail/{message_id}/retry",
                                 data={"next": "/mail/?status=failed"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mail/?status=failed")
    [received] = smtp_server.received
    assert received.message["Subject"] == "Lost invitation"
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert message.status == "sent" and message.attempts == 1
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retry"))
        assert entry.object_type == "outbox_messages" and entry.object_id == message_id
        assert entry.actor == "admin@example.org"
        assert entry.changes["status"] == ["failed", "queued"]
        assert entry.changes["attempts"] == [10, 0]
    page = admin_client.get("/mail/?status=failed").get_data(as_text=True)
    assert "is queued again" in page


def test_retry_of_a_sent_message_is_refused(app, staff_client, smtp_server):
    with app.app_context():
        message_id = _make("Already sent", status="sent", sent_at=utcnow())
    response = staff_client.post(f"/mail/{message_id}/retry", follow_redirects=True)
    assert "cannot be retried" in response.get_data(as_text=True)
    assert smtp_server.received == []
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status == "sent"


def test_retry_needs_the_csrf_token_and_goes_back_only_to_the_outbox(app, staff_client):
    with app.app_context():
        message_id = _make("Waiting", next_attempt_at=utcnow() + timedelta(hours=1))
    app.config["WTF_CSRF_ENABLED"] = True
    assert staff_client.post(f"/mail/{message_id}/retry").status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    response = staff_client.post(f"/mail/{message_id}/retry",
                                 data={"next": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/mail/{message_id}")


def test_detail_page_shows_the_text_part_escaped(app, staff_client):
    with app.app_context():
        message_id = _make("<i>Agenda</i>", status="failed", last_error="550 no such user")
    page = staff_client.get(f"/mail/{message_id}").get_data(as_text=True)
    assert "&lt;i&gt;Agenda&lt;/i&gt;" in page and "<i>Agenda</i>" not in page
    assert "Text of &lt;i&gt;Agenda&lt;/i&gt;" in page and "550 no such user" in page
    assert "Retry" in page
    assert staff_client.get("/mail/999999").status_code == 404


def test_message_can_be_downloaded_as_eml(app, staff_client):
    with app.app_context():
        message_id = _make("Programme of work")
        expected_id = db.session.get(OutboxMessage, message_id).message_id
    response = staff_client.get(f"/mail/{message_id}/message.eml")
    assert response.mimetype == "message/rfc822"
    assert "programme-of-work.eml" in response.headers["Content-Disposition"]
    assert expected_id in response.get_data(as_text=True)


def test_flask_mail_send_delivers_what_is_due_and_prints_counts(app, runner, smtp_server):
    smtp_server.handler.refuse_recipients["gone@example.org"] = "550"
    smtp_server.handler.refuse_recipients["busy@example.org"] = "451"
    with app.app_context():
        for to in ("ana@example.org", "li@example.org", "gone@example.org",
                   "busy@example.org"):
            queue_message(to, f"To {to}", "text", None)
        db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent: 2, retried later: 1, failed: 1." in result.output
    result = runner.invoke(args=["mail", "send"])
    assert "Sent: 0, retried later: 0, failed: 0." in result.output
    assert len(smtp_server.received) == 2


def test_flask_mail_retry_failed_queues_them_again(app, runner, smtp_server):
    with app.app_context():
        meeting = MeetingFactory()
        _make("Failed one", status="failed", meeting=meeting)
        _make("Failed two", status="failed")
        meeting_id = meeting.id
    result = runner.invoke(args=["mail", "retry-failed", "--meeting", str(meeting_id)])
    assert result.exit_code == 0 and "Queued again: 1." in result.output
    result = runner.invoke(args=["mail", "retry-failed"])
    assert "Queued again: 1." in result.output
    with app.app_context():
        assert deliver_due().sent == 2
        actors = db.session.scalars(select(AuditEntry.actor)).all()
        assert actors == ["command line", "command line"]


def test_flask_mail_test_sends_a_test_message(app, runner, smtp_server):
    result = runner.invoke(args=["mail", "test", "ops@example.org"])
    assert result.exit_code == 0, result.output
    assert "ops@example.org: sent." in result.output
    assert smtp_server.received[0].message["Subject"].startswith("Test message")
    smtp_server.stop()
    result = runner.invoke(args=["mail", "test", "ops@example.org"])
    assert result.exit_code == 1 and ": queued." in result.output
    assert runner.invoke(args=["mail", "test", "not an address"]).exit_code == 1
