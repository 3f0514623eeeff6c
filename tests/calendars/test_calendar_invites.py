"""Invitations by e-mail: REQUEST on approval, updates with a higher SEQUENCE, CANCEL."""

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

pytest_plugins = ["tests.smtp_server"]


def messages(app, category: str) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.category == category).order_by(OutboxMessage.id)).all()
        for message in found:
            _ = [a.content for a in message.attachments]
            db.session.expunge(message)
        return list(found)


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
    assert len(received) == 1
    parts = [p for p in received[0].message.iter_attachments()
             if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "invite.ics"
    raw = parts[0].get_payload(decode=True)
    check_raw(raw)
    calendar = Calendar.from_ical(raw)
    check_calendar(calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    found = events(calendar)
    assert set(found) == {f"meeting-{meeting_id}@localhost",
                          f"item-{data['opening']}@localhost", f"item-{data['april']}@localhost"}
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
    # The items' place and time hang on the meeting too: their SEQUENCE rises with it.
    item = events(calendar)[f"item-{data['opening']}@localhost"]
    assert int(item["SEQUENCE"]) == 1
    with app.app_context():
        email = build_email(db.session.get(OutboxMessage, sent[0].id), "a@example.org")
        part = next(email.iter_attachments())
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "REQUEST"


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
    base = f"/meetings/{data['id']}/agenda/items"
    response = staff_client.post(f"{base}/{data['april']}/edit", data=item_form(
        "Review on 10 April", "11:00", "12:00", starts_at="2003-04-10T11:00",
        ends_at="2003-04-10T12:00"))
    assert response.status_code == 302
    assert staff_client.post(f"{base}/{data['opening']}/delete").status_code == 302
    publish(staff_client, data["id"])
    notices = [m for m in messages(app, "agenda_changes") if "ahmed@" in m.to_addrs]
    latest = notices[-1]
    by_name = {a.filename: a for a in latest.attachments}
    assert set(by_name) == {"update.ics", "cancel.ics"}
    update = calendar_of(by_name["update.ics"])
    assert str(update["METHOD"]) == "REQUEST"
    event = events(update)[f"item-{data['april']}@localhost"]  # same UID
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=-4)
    cancel = calendar_of(by_name["cancel.ics"])
    assert str(cancel["METHOD"]) == "CANCEL"
    gone = events(cancel)[f"item-{data['opening']}@localhost"]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 1
    # Wang's items did not change: his notice carries no calendar.
    wang = [m for m in messages(app, "agenda_changes") if "wang@" in m.to_addrs][-1]
    assert wang.attachments == []


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


def test_cancelled_meeting_sends_cancel(app):
    data = build(app)
    with app.test_request_context():
        change_status(db.session.get(Meeting, data["id"]), "cancelled")
        db.session.commit()
    sent = messages(app, "calendar_cancelled")
    assert len(sent) == 2
    calendar = calendar_of(sent[0].attachments[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    event = events(calendar)[f"meeting-{data['id']}@localhost"]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) >= 2


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
    notices = messages(app, "agenda_changes")
    ahmed = [m for m in notices if "ahmed@" in m.to_addrs][-1]
    by_name = {a.filename: a for a in ahmed.attachments}
    assert set(by_name) == {"no-longer-speaking.ics"}
    cancel = calendar_of(by_name["no-longer-speaking.ics"])
    assert str(cancel["METHOD"]) == "CANCEL"
    gone = events(cancel)[f"item-{data['opening']}@localhost"]  # the UID it was sent with
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) >= 1
    assert f"item-{data['april']}@localhost" not in events(cancel)  # still theirs
    wang_notice = [m for m in notices if "wang@" in m.to_addrs][-1]
    by_name = {a.filename: a for a in wang_notice.attachments}
    assert set(by_name) == {"now-speaking.ics"}
    update = calendar_of(by_name["now-speaking.ics"])
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
    back = [m for m in messages(app, "agenda_changes") if "ahmed@" in m.to_addrs][-1]
    by_name = {a.filename: a for a in back.attachments}
    again = events(calendar_of(by_name["now-speaking.ics"]))[f"item-{data['opening']}@localhost"]
    assert int(again["SEQUENCE"]) > int(gone["SEQUENCE"])
