"""Delivery through a real SMTP server on loopback: once, after commit, never lost."""

import smtplib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from meetingapp.extensions import db
from meetingapp.mail.backends import SMTPBackend, describe_failure
from meetingapp.mail.messages import build_email, default_sender
from meetingapp.mail.services import deliver_due, queue_email, queue_message
from meetingapp.models import OutboxMessage, utcnow

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


@pytest.fixture
def app(app, add_queue_route):
    add_queue_route(app)
    return app


def _queue(n=1, **options):
    ids = []
    for i in range(n):
        message = queue_message(f"delegate{i}@example.org", f"Message {i}", f"Text {i}",
                                f"<p>HTML {i}</p>", **options)
        ids.append(message.id)
    db.session.commit()
    return ids


def _messages():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_committed_message_arrives_once_with_text_html_and_message_id(app, smtp_server):
    with app.app_context():
        message = queue_message(
            [("محمد الأمين", "m.amin@example.org"), "Li Wei <li.wei@example.org>"],
            "Invitation — 特别会议", "Dear colleague,\nhttps://localhost/portal/abc",
            "<p>Dear colleague,</p>", cc=[("Doe, Jane", "jane@example.org")],
            reply_to="secretariat@example.org", category="invitation",
        )
        message_id = message.message_id
        db.session.commit()
        report = deliver_due()
        assert (report.sent, report.retried, report.failed) == (1, 0, 0)
        assert deliver_due().handled == 0  # a second run sends nothing again
        [row] = _messages()
        assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
        assert row.last_error == "" and row.claimed_at is None

    [received] = smtp_server.received
    email = received.message
    assert received.message_id == message_id
    assert received.rcpt_tos == ["m.amin@example.org", "li.wei@example.org", "jane@example.org"]
    assert received.mail_from == "secretariat@example.org"
    assert email["Subject"] == "Invitation — 特别会议"
    assert email["To"].addresses[0].display_name == "محمد الأمين"
    assert email["Cc"].addresses[0].display_name == "Doe, Jane"
    assert email["Reply-To"] == "secretariat@example.org"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["Date"] and "Secretariat of the Special Meeting" in email["From"]
    assert email.get_content_type() == "multipart/alternative"
    assert "https://localhost/portal/abc" in email.get_body(("plain",)).get_content()
    assert email.get_body(("html",)).get_content().strip() == "<p>Dear colleague,</p>"


def test_nothing_is_delivered_from_a_rolled_back_transaction(app, smtp_server):
    with app.app_context():
        queue_message("a@example.org", "Never", "text", None)
        db.session.rollback()
        assert deliver_due().handled == 0
        assert _messages() == []
    assert smtp_server.received == []


def test_request_that_queues_mail_delivers_it_after_commit(app, client, smtp_server):
    response = client.post("/_test/queue", data={"to": "ana@example.org", "subject": "Hello"})
    assert response.status_code == 302
    [received] = smtp_server.received
    assert received.message["Subject"] == "Hello"
    with app.app_context():
        [row] = _messages()
        assert row.status == "sent" and received.message_id == row.message_id


def test_failed_request_leaves_no_mail_and_error_response_sends_none(app, client, smtp_server):
    response = client.post("/_test/queue", data={"to": "a@example.org", "fail": "before-commit"})
    assert response.status_code == 400
    response = client.post("/_test/queue", data={"to": "b@example.org", "status": "409"})
    assert response.status_code == 409
    assert smtp_server.received == []
    with app.app_context():
        [row] = _messages()  # committed before the error: kept, sent later
        assert row.to_addrs == "b@example.org" and row.status == "queued"


def test_smtp_outage_delays_mail_and_every_message_arrives_once_later(app, client,
                                                                       smtp_server):
    smtp_server.stop()
    before = utcnow()
    response = client.post("/_test/queue", data={"to": "ana@example.org", "subject": "First"})
    assert response.status_code == 302  # the request succeeds all the same
    with app.app_context():
        [row] = _messages()
        assert row.status == "queued" and row.attempts == 1
        assert "refused" in row.last_error.lower()
        assert row.next_attempt_at >= before + timedelta(minutes=1)

        _queue(3)
        report = deliver_due()  # still down: all three wait too
        assert (report.sent, report.retried) == (0, 3)

        smtp_server.start()
        assert deliver_due().handled == 0  # nothing is due yet
        later = utcnow() + timedelta(minutes=2)
        assert deliver_due(now=later).sent == 4
        assert deliver_due(now=later).handled == 0
        assert deliver_due(now=later + timedelta(hours=1)).handled == 0
        rows = _messages()
        assert {r.status for r in rows} == {"sent"}
        expected = sorted(r.message_id for r in rows)
    assert sorted(smtp_server.message_ids()) == expected  # each exactly once


def test_permanent_refusal_fails_and_shows_on_the_outbox_page(app, admin_client, smtp_server):
    smtp_server.refuse("550")
    with app.app_context():
        _queue(1)
        report = deliver_due()
        assert report.failed == 1
        [row] = _messages()
        assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error
        assert deliver_due(now=utcnow() + timedelta(days=1)).handled == 0
    page = admin_client.get("/mail/?status=failed").get_data(as_text=True)
    assert "Message 0" in page and "550 5.1.1 Mailbox unavailable" in page and "Retry" in page
    assert smtp_server.received == []


def test_temporary_refusal_is_retried_with_a_growing_delay_capped_on_the_first_day(
        app, smtp_server):
    smtp_server.refuse("451")
    with app.app_context():
        _queue(1)
        now = utcnow()
        delays = []
        for expected_attempts in (1, 2, 3, 4):
            assert deliver_due(now=now).retried == 1
            [row] = _messages()
            assert row.status == "queued" and row.attempts == expected_attempts
            assert "451" in row.last_error
            delays.append(row.next_attempt_at - now)
            assert deliver_due(now=now).handled == 0  # not due again at once
            now = row.next_attempt_at
        assert delays == [timedelta(minutes=m) for m in (1, 5, 5, 5)]

        smtp_server.refuse(None)
        assert deliver_due(now=now).sent == 1
    assert len(smtp_server.received) == 1


def test_temporary_failures_end_as_failed_after_the_last_attempt(app, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp_server.refuse("451")
    with app.app_context():
        _queue(1)
        when = utcnow()
        outcomes = []
        for _ in range(3):
            report = deliver_due(now=when)
            outcomes.append((report.retried, report.failed))
            when += timedelta(days=1)
        assert outcomes == [(1, 0), (1, 0), (0, 1)]
        [row] = _messages()
        assert row.status == "failed" and row.attempts == 3


def test_refusal_of_some_recipients_still_delivers_to_the_others(app, smtp_server):
    smtp_server.handler.refuse_recipients["gone@example.org"] = "550"
    with app.app_context():
        queue_message(["ana@example.org", "gone@example.org"], "Partly", "text", None)
        db.session.commit()
        assert deliver_due().sent == 1
        [row] = _messages()
        assert row.status == "sent" and "gone@example.org: 550" in row.last_error
    assert smtp_server.received[0].rcpt_tos == ["ana@example.org"]


def test_concurrent_deliveries_send_each_message_once(app, smtp_server):
    smtp_server.handler.delay = 0.01
    with app.app_context():
        _queue(30)
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                reports.append(deliver_due(limit=100))
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r.sent for r in reports) == 30
    ids = smtp_server.message_ids()
    assert len(ids) == 30 and len(set(ids)) == 30
    with app.app_context():
        assert {r.status for r in _messages()} == {"sent"}


def test_stale_sending_claim_is_taken_again_but_a_fresh_one_is_not(app, smtp_server):
    with app.app_context():
        stale_id, fresh_id = _queue(2)
        now = utcnow()
        for message_id, claimed in ((stale_id, now - timedelta(minutes=11)),
                                    (fresh_id, now - timedelta(minutes=1))):
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                               .values(status="sending", claimed_at=claimed))
        db.session.commit()
        assert deliver_due().sent == 1
        stale, fresh = _messages()
        assert stale.status == "sent" and fresh.status == "sending"
    assert len(smtp_server.received) == 1


def test_html_in_variables_is_escaped_in_the_html_part(app, smtp_server):
    subject = "<script>alert(1)</script> & Co"
    note = "Dear <b>all</b>,\n<script>steal(document.cookie)</script>"
    with app.app_context():
        queue_email("test_message", "ana@example.org", subject,
                    context={"note": note, "link": "https://localhost/x?a=1&b=2"})
        db.session.commit()
        assert deliver_due().sent == 1
    email = smtp_server.received[0].message
    html = email.get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "Dear &lt;b&gt;all&lt;/b&gt;,<br>" in html
    assert 'href="https://localhost/x?a=1&amp;b=2"' in html
    assert email["Subject"] == subject  # a header, not HTML: kept as written
    assert note in email.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_outage_mid_batch_does_not_reconnect_for_every_message(app, smtp_server,
                                                                monkeypatch):
    connects = []
    original = smtplib.SMTP.connect

    def counting_connect(self, *args, **kwargs):
        connects.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting_connect)
    smtp_server.stop()
    with app.app_context():
        _queue(5)
        assert deliver_due().retried == 5
    assert len(connects) == 1


def test_session_dropped_by_the_server_is_reopened_for_the_next_message(app, smtp_server):
    with app.app_context():
        _queue(1)
        queued = _messages()[0]
        backend = SMTPBackend(app)
        sender = default_sender(app.config)
        try:
            backend.send(build_email(queued, sender), "secretariat@example.org", ["a@example.org"])
            smtp_server.stop()  # closes the session the backend keeps open
            smtp_server.start()
            backend.send(build_email(queued, sender), "secretariat@example.org", ["b@example.org"])
        finally:
            backend.close()
    assert [r.rcpt_tos for r in smtp_server.received] == [["a@example.org"], ["b@example.org"]]


@pytest.mark.parametrize(("error", "permanent"), [
    (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no"), "b@x.org": (550, b"no")}), True),
    (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no"), "b@x.org": (451, b"later")}),
     False),
    (smtplib.SMTPSenderRefused(553, b"sender refused", "s@x.org"), True),
    (smtplib.SMTPSenderRefused(451, b"later", "s@x.org"), False),
    (smtplib.SMTPDataError(554, b"rejected as spam"), True),
    (smtplib.SMTPDataError(452, b"mailbox full, later"), False),
    (smtplib.SMTPSenderRefused(530, b"Must issue a STARTTLS command first", "s@x.org"), False),
    (smtplib.SMTPAuthenticationError(535, b"bad password"), False),
    (smtplib.SMTPServerDisconnected("gone"), False),
    (ConnectionRefusedError(111, "Connection refused"), False),
    (TimeoutError("timed out"), False),
])
def test_only_a_5xx_refusal_of_the_message_is_permanent(error, permanent):
    assert describe_failure(error)[0] is permanent
