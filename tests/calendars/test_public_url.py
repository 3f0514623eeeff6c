"""One public address: links, UIDs and feeds leave the app under PUBLIC_URL, whatever the
request's Host header said. Calendars are read with icalendar and with ical.js."""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from meetingapp.extensions import db
from meetingapp.meetings.services import details_of, update_meeting
from meetingapp.models import Delegate, Meeting
from tests.calendars.test_calendar_downloads import build, check_calendar, events
from tests.calendars.test_calendar_invites import messages
from tests.factories import DelegateFactory, MeetingFactory
from tests.icaljs import read_calendar
from tests.invitation_helpers import (
    invitation_with_token,
    organisation_with_focal_point,
    upcoming_meeting,
)

pytest_plugins = ["tests.smtp_server"]

PUBLIC = "https://meetings.example.org"


@pytest.fixture
def config_overrides(smtp_config):
    # No SERVER_NAME: what a request says its host is would win if anything listened to it.
    return {**smtp_config, "SERVER_NAME": None, "PUBLIC_URL": PUBLIC}


def calendar_part(received) -> bytes:
    """The iTIP object: the message's one ``text/calendar`` part (RFC 6047)."""
    parts = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0].get_payload(decode=True)


def both_readers(raw: bytes) -> dict:
    """UID -> URL (or None) of every event, as icalendar and ical.js both read them (they
    must agree). Feeds and later updates carry no URL: only a personal link has one."""
    calendar = Calendar.from_ical(raw)
    check_calendar(calendar)
    ours = {uid: str(event["URL"]) if "URL" in event else None
            for uid, event in events(calendar).items()}
    theirs = {e["uid"]: e["url"] for e in read_calendar(raw)["events"]}
    assert ours == theirs
    return ours


def signed_in_at(client, host: str):
    """Let ``client`` (signed in at localhost) send its session to ``host`` too."""
    session = client.get_cookie("session", domain="localhost")
    client.set_cookie("session", session.value, domain=host.split(":", 1)[0])
    return client


def text_of(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def test_an_update_keeps_the_uid_whichever_address_staff_used(app, staff_client, smtp_server):
    data = build(app)
    with app.app_context():
        delegate = db.session.get(Delegate, data["ahmed"])
        pending = DelegateFactory(invitation=delegate.invitation, email="layla@las.example.org",
                                  email_key="layla@las.example.org")
        db.session.commit()
        pending_id = pending.id
    response = signed_in_at(staff_client, "127.0.0.1").post(
        f"/meetings/{data['id']}/registrations/{pending_id}/approve",
        base_url="http://127.0.0.1:5000")
    assert response.status_code == 302
    approval = [r for r in smtp_server.received if "layla@las.example.org" in r.rcpt_tos]
    assert len(approval) == 1
    first = both_readers(calendar_part(approval[0]))
    assert f"{PUBLIC}/d/" in text_of(approval[0])
    assert "127.0.0.1" not in approval[0].message.as_string()

    # The meeting is moved by someone who reached the app through another address.
    with app.test_request_context(base_url="http://localhost:5000"):
        meeting = db.session.get(Meeting, data["id"])
        details = details_of(meeting)
        details.starts_at = details.starts_at + timedelta(hours=1)
        update_meeting(meeting, details)
        db.session.commit()
    moved = [m for m in messages(app, "calendar_moved") if "layla@las.example.org" in m.to_addrs]
    assert len(moved) == 1
    second = both_readers(moved[0].attachments[0].content)
    meeting_uid = f"meeting-{data['id']}@meetings.example.org"
    assert meeting_uid in first and meeting_uid in second
    assert set(first) == set(second)  # the same events: an update, not new ones
    assert all(url.startswith(PUBLIC + "/") for url in {**first, **second}.values() if url)
    assert first[meeting_uid].startswith(f"{PUBLIC}/d/")  # the delegate's own page


def test_a_forged_host_never_reaches_the_invitation_email(app, staff_client, smtp_server):
    with app.app_context():
        meeting = upcoming_meeting()
        organisation = organisation_with_focal_point(name="منظمة التعاون الإسلامي")
        invitation_id, _ = invitation_with_token(meeting, organisation)
        meeting_id, address = meeting.id, f"focal.{organisation.id}@example.org"
    signed_in_at(staff_client, "evil.example").post(
        f"/meetings/{meeting_id}/invitations/{invitation_id}/send", base_url="http://evil.example")
    received = [r for r in smtp_server.received if address in r.rcpt_tos]
    assert len(received) == 1
    body = text_of(received[0])
    assert re.search(rf"{re.escape(PUBLIC)}/i/[A-Za-z0-9_\-]{{40,}}", body), body
    assert "evil.example" not in received[0].message.as_string()


@pytest.mark.parametrize("public, prefix", [
    ("https://example.org/special-meeting/", "https://example.org/special-meeting/i/"),
    ("http://xn--mgbh0fb.example:8080", "http://xn--mgbh0fb.example:8080/i/"),
])
def test_links_keep_the_path_and_port_of_the_public_address(app, staff_client, smtp_server,
                                                            public, prefix):
    app.config["PUBLIC_URL"] = public.rstrip("/")
    with app.app_context():
        meeting = upcoming_meeting()
        organisation = organisation_with_focal_point()
        invitation_id, _ = invitation_with_token(meeting, organisation)
        meeting_id = meeting.id
    staff_client.post(f"/meetings/{meeting_id}/invitations/{invitation_id}/send")
    body = text_of(smtp_server.received[-1])
    link = re.search(r"https?://\S+/i/[A-Za-z0-9_\-]+", body).group(0)
    assert link.startswith(prefix)
    # The link opens the invitation when the app is served under that path.
    path = link.split("/i/", 1)[1]
    assert staff_client.get(f"/i/{path}").status_code == 200


def _subscribe(client, page_token: str, **request) -> str:
    response = client.post(f"/d/{page_token}/calendar/feed", data={"action": "issue"},
                           **request)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_feed_links_use_the_public_address_and_webcal_only_over_https(app, client):
    data = build(app)
    page = _subscribe(client, data["tokens"]["ahmed"], headers={"Host": "evil.example"})
    feed = re.search(r"https://meetings\.example\.org/feed/([A-Za-z0-9_\-]+)\.ics", page)
    assert feed, page
    assert f"webcal://meetings.example.org/feed/{feed.group(1)}.ics" in page
    assert "evil.example" not in page

    served = client.get(f"/feed/{feed.group(1)}.ics", headers={"Host": "evil.example"})
    assert served.status_code == 200
    found = both_readers(served.data)
    assert f"meeting-{data['id']}@meetings.example.org" in found
    assert not any("evil.example" in uid or "evil.example" in (url or "")
                   for uid, url in found.items())

    app.config["PUBLIC_URL"] = "http://meetings.example.org"
    page = _subscribe(client, data["tokens"]["ahmed"])
    assert re.search(r"http://meetings\.example\.org/feed/[A-Za-z0-9_\-]+\.ics", page)
    assert "webcal://" not in page and "https://meetings.example.org/feed/" not in page


def test_a_meeting_keeps_its_uid_domain_when_the_public_address_changes(app, staff_client):
    with app.app_context():
        old = MeetingFactory()
        old_id = old.id
        db.session.commit()
    app.config["PUBLIC_URL"] = "https://new.example.org"
    with app.app_context():
        new_id = MeetingFactory().id
        db.session.commit()
    for meeting_id, domain in ((old_id, "meetings.example.org"), (new_id, "new.example.org")):
        raw = staff_client.get(f"/meetings/{meeting_id}/calendar.ics").data
        found = both_readers(raw)
        assert list(found) == [f"meeting-{meeting_id}@{domain}"]
        assert found[f"meeting-{meeting_id}@{domain}"] == (
            f"https://new.example.org/meetings/{meeting_id}")
