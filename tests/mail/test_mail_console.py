"""The console backend (.eml files), queueing rules, and when delivery runs."""

import re
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.mail.backends import ConsoleBackend
from meetingapp.mail.dispatch import dispatcher
from meetingapp.mail.services import (
    AddressError,
    deliver_due,
    last_message_for,
    last_messages_for,
    queue_message,
    render_email,
)
from meetingapp.models import OutboxMessage
from tests.factories import MeetingFactory

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path / "outbox-files"


@pytest.fixture
def config_overrides(mail_dir):
    return {"MAIL_BACKEND": "console", "MAIL_FILE_DIR": str(mail_dir),
            "MAIL_DELIVERY_SYNC": True, "MAIL_MESSAGE_ID_DOMAIN": "meetings.example.org"}


@pytest.fixture
def app(app, add_queue_route):
    add_queue_route(app)
    return app


def _files(directory):
    return sorted(directory.glob("*.eml")) if directory.exists() else []


def test_console_backend_writes_a_readable_eml_and_prints_it(app, mail_dir, capsys):
    with app.app_context():
        message = queue_message("Ana Ruiz <ana@example.org>",
                                "Invitation to the First Special Meeting",
                                "Please answer here:\nhttps://localhost/portal/abc123", None)
        db.session.commit()
        message_id = message.message_id
        assert deliver_due().sent == 1
    [path] = _files(mail_dir)
    assert re.fullmatch(
        r"\d{8}-\d{6}-invitation-to-the-first-special-meeting-[0-9a-f]{8}\.eml", path.name)
    email = BytesParser(policy=policy.default).parse(path.open("rb"))
    assert email["Subject"] == "Invitation to the First Special Meeting"
    assert email["Message-ID"] == message_id and message_id.endswith("@meetings.example.org>")
    assert email.get_content_type() == "multipart/alternative"
    assert "https://localhost/portal/abc123" in email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert '<a href="https://localhost/portal/abc123">' in html
    printed = capsys.readouterr().out
    assert "Invitation to the First Special Meeting" in printed and str(path) in printed
    assert "https://localhost/portal/abc123" in printed


def test_console_backend_names_files_of_non_latin_subjects(app, mail_dir):
    with app.app_context():
        queue_message("wang@example.org", "会议邀请", "正文", None)
        queue_message("amin@example.org", "دعوة إلى الاجتماع", "نص", None)
        db.session.commit()
        assert deliver_due().sent == 2
    names = [p.name for p in _files(mail_dir)]
    assert len(names) == 2 and all("-message-" in name for name in names)


def test_console_directory_defaults_to_the_instance_folder(app):
    app.config["MAIL_FILE_DIR"] = None
    app.config["INSTANCE_TMP"] = None
    assert ConsoleBackend(app).directory == f"{app.instance_path}/mail"


def test_request_delivers_after_commit_in_a_background_thread(app, client, mail_dir):
    app.config["MAIL_DELIVERY_SYNC"] = False
    response = client.post("/_test/queue", data={"to": "ana@example.org", "subject": "Bg"})
    assert response.status_code == 302
    dispatcher(app).join(30)
    assert len(_files(mail_dir)) == 1
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == "sent"


def test_manual_delivery_leaves_mail_for_the_worker(app, client, mail_dir):
    app.config["MAIL_DELIVERY"] = "manual"
    client.post("/_test/queue", data={"to": "ana@example.org"})
    assert _files(mail_dir) == []
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == "queued"
        assert deliver_due().sent == 1
    assert len(_files(mail_dir)) == 1


def test_unknown_backend_never_fails_the_request_and_keeps_the_mail(app, client, mail_dir):
    app.config["MAIL_BACKEND"] = "pigeon"
    response = client.post("/_test/queue", data={"to": "ana@example.org"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == "queued"


@pytest.mark.parametrize("bad", [
    "not-an-address", "ana@example.org\r\nBcc: victim@example.org", "", [],
    "Doe, Jane <jane@example.org>",  # two addresses, one of them "Doe"
])
def test_unusable_addresses_are_refused(app, bad):
    with app.app_context(), pytest.raises(AddressError):
        queue_message(bad, "Subject", "text", None)


def test_subject_is_one_line_and_html_is_made_from_text(app):
    with app.app_context():
        message = queue_message(("Doe, Jane", "jane@example.org"), "Line one\r\nBcc: x@y.org",
                                "Dear <colleague>,\n\nsee https://localhost/a", None)
        assert message.subject == "Line one Bcc: x@y.org"
        assert message.to_addrs == '"Doe, Jane" <jane@example.org>'
        assert "Dear &lt;colleague&gt;," in message.body_html
        assert '<a href="https://localhost/a">' in message.body_html


def test_message_id_is_kept_on_every_retry(app, mail_dir):
    with app.app_context():
        message = queue_message("ana@example.org", "Same id", "text", None)
        db.session.commit()
        first_id = message.message_id
        assert deliver_due().sent == 1
        db.session.refresh(message)  # delivery ran in its own session
        message.status = "queued"
        db.session.commit()
        assert deliver_due().sent == 1
        db.session.refresh(message)
        assert message.message_id == first_id
    ids = {BytesParser(policy=policy.default).parse(p.open("rb"))["Message-ID"]
           for p in _files(mail_dir)}
    assert ids == {first_id}


def test_last_message_status_for_a_related_object(app):
    with app.app_context():
        meeting = MeetingFactory()
        queue_message("a@example.org", "Invitation", "t", None, meeting=meeting,
                      category="invitation", related=("invitations", 7))
        newer = queue_message("a@example.org", "Reminder", "t", None, meeting=meeting.id,
                              category="reminder", related=("invitations", 7))
        queue_message("b@example.org", "Other", "t", None, related=meeting)
        db.session.commit()
        latest = last_messages_for("invitations", [7, 8])
        assert list(latest) == [7] and latest[7].id == newer.id
        assert last_messages_for("invitations", [7], "invitation")[7].subject == "Invitation"
        assert last_message_for(meeting).subject == "Other"
        assert newer.meeting_id == meeting.id


def test_render_email_escapes_html_but_not_text(app):
    with app.app_context():
        rendered = render_email("test_message", subject="A & B", note="<b>bold</b>")
    assert "A &amp; B" in rendered.html and "&lt;b&gt;bold&lt;/b&gt;" in rendered.html
    assert "A & B" in rendered.text and "<b>bold</b>" in rendered.text
