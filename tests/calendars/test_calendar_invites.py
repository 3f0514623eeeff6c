"""Invitations by e-mail: REQUEST on approval, updates with a higher SEQUENCE, CANCEL."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.mail.messages import build_email
from meetingapp.meetings.services import change_status, details_of, update_meeting
from meetingapp.models import Delegate, Meeting, OutboxMessage
from meetingapp.registrations.notify import send_approval, send_withdrawal
from tests.agenda_helpers import item_form, publish
from tests.calendars.test_calendar_downloads import build, check_calendar, check_raw, events
from tests.factories import DelegateFactory
from tests.icaljs import read_calendars

pytest_plugins = ["tests.smtp_server"]


def messages(app, category: str) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.category == category).order_by(OutboxMessage.id)).all()
        for message in found:
            _ = [a.content for a in message.attachments]
            db.session.expunge(message)
        return list(found)


def itip_of(email, method: str) -> bytes:
    """The iTIP object of an iMIP message (RFC 6047), checked where calendar programs look:
    the text/calendar alternative, the same bytes as the .ics file, nothing else calendar."""
    assert email.get_content_type() == "multipart/mixed"
    alternative = next(p for p in email.iter_parts()
                       if p.get_content_type() == "multipart/alternative")
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    inline = list(alternative.iter_parts())[2]
    assert inline.get_param("method") == method and inline.get_content_charset() == "utf-8"
    files = [p for p in email.iter_attachments() if (p.get_filename() or "").endswith(".ics")]
    assert len(files) == 1 and files[0].get_content_type() == "application/ics"
    assert files[0].get_payload(decode=True) == inline.get_payload(decode=True)
    return inline.get_payload(decode=True)


def calendar_of(attachment) -> Calendar:
    check_raw(attachment.content)
    calendar = Calendar.from_ical(attachment.content)
    check_calendar(calendar)
    return calendar


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


def test_approval_email_carries_the_invitation(app, staff_client, smtp_server):
    data = build(app)
    publish(staff_client, data["id"])
    with app.app_context():
        meeting = db.session.get(Meeting, data["id"])
        delegate = db.session.get(Delegate, data["ahmed"])
        pending = DelegateFactory(invitation=delegate.invitation, given_name="Layla, \"L\"",
                                  family_name="Haddad; ليلى", email="layla@las.example.org",
                                  email_key="layla@las.example.org")
        db.session.commit()
        pending_id, meeting_id = pending.id, meeting.id
    response = staff_client.post(f"/meetings/{meeting_id}/registrations/{pending_id}/approve")
    assert response.status_code == 302
    received = [r for r in smtp_server.received if "layla@las.example.org" in r.rcpt_tos]
    # The approval with the meeting's invitation, and one e-mail per item of their calendar.
    assert len(received) == 3
    found, raws = {}, []
    for mail in received:
        raw = itip_of(mail.message, "REQUEST")
        raws.append(raw)
        check_raw(raw)
        calendar = Calendar.from_ical(raw)
        check_calendar(calendar)
        assert str(calendar["METHOD"]) == "REQUEST"
        (uid,) = events(calendar)  # one iTIP object, one UID, per e-mail
        found[uid] = events(calendar)[uid]
    assert set(found) == {f"meeting-{meeting_id}@localhost",
                          f"item-{data['opening']}@localhost", f"item-{data['april']}@localhost"}
    approval = next(m.message for m in received if "invite.ics" in
                    [p.get_filename() for p in m.message.iter_attachments()]
                    and m.message["Subject"].startswith("Registration approved"))
    page = re.search(r"https?://\S+/d/[\w-]+", approval.get_body(("plain",)).get_content())[0]
    # A second parser reads the same: one UID each, the URL the delegate's own page.
    for read in read_calendars(raws):
        assert read["method"] == "REQUEST" and len(read["events"]) == 1
        assert read["events"][0]["url"] == page
    for event in found.values():
        assert str(event["ORGANIZER"]) == "mailto:secretariat@example.org"
        attendee = event["ATTENDEE"]
        assert str(attendee) == "mailto:layla@las.example.org"
        assert "Haddad; ليلى" in attendee.params["CN"] and '"' not in attendee.params["CN"]
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)


def test_meeting_moved_sends_an_update_with_a_higher_sequence(app, staff_client):
    data = build(app)
    publish(staff_client, data["id"])
    with app.test_request_context():
        meeting = db.session.get(Meeting, data["id"])
        details = details_of(meeting)
        details.description = "A new description only."
        update_meeting(meeting, details)
        db.session.commit()
        assert meeting.sequence == 0  # the description is not a time, place or status
    assert messages(app, "calendar_moved") == []
    with app.test_request_context():
        meeting = db.session.get(Meeting, data["id"])
        details = details_of(meeting)
        details.starts_at = details.starts_at + timedelta(hours=1)
        update_meeting(meeting, details)
        db.session.commit()
        assert meeting.sequence == 1
    sent = messages(app, "calendar_moved")
    assert {m.to_addrs.rsplit("<", 1)[-1] for m in sent} == {"ahmed@las.example.org>",
                                                             "wang@sco.example.org>"}
    calendar = calendar_of(sent[0].attachments[0])
    assert str(calendar["METHOD"]) == "REQUEST"
    event = events(calendar)[f"meeting-{data['id']}@localhost"]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2003, 3, 6, 10, 30)
    # One UID per iTIP object: the meeting only; its items did not move.
    assert set(events(calendar)) == {f"meeting-{data['id']}@localhost"}
    with app.app_context():
        email = build_email(db.session.get(OutboxMessage, sent[0].id), "a@example.org")
    (read,) = read_calendars([itip_of(email, "REQUEST")])
    assert [e["uid"] for e in read["events"]] == [f"meeting-{data['id']}@localhost"]
    assert read["events"][0]["sequence"] == 1
    assert read["events"][0]["start"] == datetime(2003, 3, 6, 15, 30, tzinfo=UTC).timestamp()
    # An item's SEQUENCE is its own: the meeting moving around it does not raise it.
    agenda = Calendar.from_ical(staff_client.get(
        f"/meetings/{data['id']}/calendar/agenda.ics").get_data())
    assert int(events(agenda)[f"item-{data['opening']}@localhost"]["SEQUENCE"]) == 0
    assert int(events(agenda)[f"meeting-{data['id']}@localhost"]["SEQUENCE"]) == 1


def test_venue_change_raises_sequence(app):
    data = build(app)
    with app.test_request_context():
        meeting = db.session.get(Meeting, data["id"])
        details = details_of(meeting)
        details.venue = "Vienna International Centre"
        update_meeting(meeting, details)
        assert meeting.sequence == 1


def test_republished_agenda_sends_updates_and_cancellations(app, staff_client):
    data = build(app)
    publish(staff_client, data["id"])
    first = max(m.id for m in messages(app, "calendar_item_update"))
    base = f"/meetings/{data['id']}/agenda/items"
    response = staff_client.post(f"{base}/{data['april']}/edit", data=item_form(
        "Review on 10 April", "11:00", "12:00", starts_at="2003-04-10T11:00",
        ends_at="2003-04-10T12:00"))
    assert response.status_code == 302
    assert staff_client.post(f"{base}/{data['opening']}/delete").status_code == 302
    publish(staff_client, data["id"])
    # Each item in an e-mail of its own (one UID per iTIP object), besides the notice.
    updates = [m for m in messages(app, "calendar_item_update")
               if "ahmed@" in m.to_addrs and m.id > first]
    cancels = [m for m in messages(app, "calendar_item_cancelled") if "ahmed@" in m.to_addrs]
    assert len(updates) == 1 and len(cancels) == 1
    assert [a.filename for a in updates[0].attachments] == ["update.ics"]
    update = calendar_of(updates[0].attachments[0])
    assert str(update["METHOD"]) == "REQUEST"
    assert set(events(update)) == {f"item-{data['april']}@localhost"}  # same UID, alone
    event = events(update)[f"item-{data['april']}@localhost"]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=-4)
    cancel = calendar_of(cancels[0].attachments[0])
    assert str(cancel["METHOD"]) == "CANCEL"
    assert set(events(cancel)) == {f"item-{data['opening']}@localhost"}
    gone = events(cancel)[f"item-{data['opening']}@localhost"]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 1
    read = read_calendars([updates[0].attachments[0].content, cancels[0].attachments[0].content])
    assert [(r["method"], [e["uid"] for e in r["events"]]) for r in read] == [
        ("REQUEST", [f"item-{data['april']}@localhost"]),
        ("CANCEL", [f"item-{data['opening']}@localhost"])]
    # The notice tells what changed; Wang's items did not change: nothing for his calendar.
    assert all(m.attachments == [] for m in messages(app, "agenda_changes"))
    assert not [m for m in messages(app, "calendar_item_update")
                if "wang@" in m.to_addrs and m.id > first]


def test_description_edit_does_not_raise_the_item_sequence(app, staff_client):
    data = build(app)
    publish(staff_client, data["id"])
    response = staff_client.post(
        f"/meetings/{data['id']}/agenda/items/{data['march']}/edit",
        data=item_form("Follow-up on 30 March", "10:00", "11:00", starts_at="2003-03-30T10:00",
                       ends_at="2003-03-30T11:00", description="New words only"))
    assert response.status_code == 302
    publish(staff_client, data["id"])
    calendar = Calendar.from_ical(staff_client.get(
        f"/meetings/{data['id']}/calendar/agenda.ics").get_data())
    event = events(calendar)[f"item-{data['march']}@localhost"]
    assert int(event["SEQUENCE"]) == 0 and "New words only" in str(event["DESCRIPTION"])


def test_cancelled_meeting_sends_cancel(app, staff_client):
    data = build(app)
    publish(staff_client, data["id"])
    with app.test_request_context():
        change_status(db.session.get(Meeting, data["id"]), "cancelled")
        db.session.commit()
    sent = messages(app, "calendar_cancelled")
    assert len(sent) == 2
    calendar = calendar_of(sent[0].attachments[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert set(events(calendar)) == {f"meeting-{data['id']}@localhost"}
    event = events(calendar)[f"meeting-{data['id']}@localhost"]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) >= 2
    # The items of each delegate's calendar are cancelled too, one UID per e-mail.
    items = messages(app, "calendar_item_cancelled")
    read = read_calendars([m.attachments[0].content for m in items])
    assert sorted((m.to_addrs.rsplit("<", 1)[-1], r["method"], [e["uid"] for e in r["events"]],
                   r["events"][0]["status"]) for m, r in zip(items, read, strict=True)) == sorted([
        ("ahmed@las.example.org>", "CANCEL", [f"item-{data['april']}@localhost"], "CANCELLED"),
        ("ahmed@las.example.org>", "CANCEL", [f"item-{data['opening']}@localhost"], "CANCELLED"),
        ("wang@sco.example.org>", "CANCEL", [f"item-{data['march']}@localhost"], "CANCELLED")])


HOSTILE = '<script>alert("x")</script> جلسة — 会议, "quoted"; \u202eevil'


def test_item_email_with_hostile_title_is_escaped_and_read_back_exactly(app, staff_client):
    """An item's own e-mail: its title in the subject, escaped in HTML, exact in the file."""
    from meetingapp.models import AgendaItem

    data = build(app)
    with app.app_context():
        db.session.get(AgendaItem, data["april"]).title = HOSTILE
        db.session.commit()
    publish(staff_client, data["id"])
    (sent,) = [m for m in messages(app, "calendar_item_update")
               if "ahmed@" in m.to_addrs and "alert" in m.subject]
    assert HOSTILE.replace("\u202e", "") in sent.subject.replace("\u202e", "")
    assert "<script>" not in sent.body_html and "&lt;script&gt;" in sent.body_html
    assert HOSTILE in sent.body_text
    with app.app_context():
        email = build_email(db.session.get(OutboxMessage, sent.id), "a@example.org")
    raw = itip_of(email, "REQUEST")
    (read,) = read_calendars([raw])
    assert [e["summary"] for e in read["events"]] == [HOSTILE]
    assert str(events(Calendar.from_ical(raw))[f"item-{data['april']}@localhost"]["SUMMARY"]
               ) == HOSTILE


def test_withdrawal_after_approval_sends_cancel(app):
    data = build(app)
    with app.test_request_context():
        delegate = db.session.get(Delegate, data["ahmed"])
        send_approval(delegate)
        delegate.status = "withdrawn"
        delegate.withdrawn_at = datetime.now(UTC)
        send_withdrawal(delegate)
        never = DelegateFactory(invitation=delegate.invitation, status="withdrawn")
        send_withdrawal(never)
        db.session.commit()
    sent = messages(app, "registration_withdrawn")
    assert len(sent) == 2
    calendar = calendar_of(sent[0].attachments[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert {str(e["STATUS"]) for e in calendar.walk("VEVENT")} == {"CANCELLED"}
    assert sent[1].attachments == []  # never approved: nothing to cancel


def test_speakers_added_or_taken_off_get_the_item_sent_or_cancelled(app, staff_client):
    """A delegate's calendar holds the items where their organisation speaks."""
    from meetingapp.models import AgendaItem, Speaker
    from tests.factories import SpeakerFactory

    data = build(app)
    publish(staff_client, data["id"])
    with app.app_context():
        # The LAS leaves the opening; the SCO joins the April review.
        opening = db.session.get(AgendaItem, data["opening"])
        for speaker in db.session.scalars(select(Speaker).where(Speaker.item_id == opening.id)):
            db.session.delete(speaker)
        wang = db.session.get(Delegate, data["wang"])
        SpeakerFactory(item=db.session.get(AgendaItem, data["april"]),
                       organisation=wang.invitation.organisation)
        db.session.commit()
    assert publish(staff_client, data["id"]).status_code == 302
    ahmed = [m for m in messages(app, "calendar_item_cancelled") if "ahmed@" in m.to_addrs]
    assert len(ahmed) == 1
    assert [a.filename for a in ahmed[0].attachments] == ["cancel.ics"]
    cancel = calendar_of(ahmed[0].attachments[0])
    assert str(cancel["METHOD"]) == "CANCEL"
    gone = events(cancel)[f"item-{data['opening']}@localhost"]  # the UID it was sent with
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) >= 1
    assert set(events(cancel)) == {f"item-{data['opening']}@localhost"}  # April still theirs
    wang = [m for m in messages(app, "calendar_item_invitation") if "wang@" in m.to_addrs]
    assert len(wang) == 1
    update = calendar_of(wang[0].attachments[0])
    assert str(update["METHOD"]) == "REQUEST"
    assert set(events(update)) == {f"item-{data['april']}@localhost"}

    # Taken off, then back: the REQUEST is not below the CANCEL's SEQUENCE, so calendar
    # programs take the item back.
    with app.app_context():
        opening = db.session.get(AgendaItem, data["opening"])
        ahmed_org = db.session.get(Delegate, data["ahmed"]).invitation.organisation
        SpeakerFactory(item=opening, organisation=ahmed_org)
        db.session.commit()
    assert publish(staff_client, data["id"]).status_code == 302
    back = [m for m in messages(app, "calendar_item_invitation") if "ahmed@" in m.to_addrs][-1]
    again = events(calendar_of(back.attachments[0]))[f"item-{data['opening']}@localhost"]
    assert int(again["SEQUENCE"]) > int(gone["SEQUENCE"])
