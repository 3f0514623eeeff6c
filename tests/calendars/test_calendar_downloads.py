"""Calendar downloads: the meeting, its agenda, one item, a delegate's own calendar (RFC 5545)."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from meetingapp.extensions import db
from meetingapp.models import Meeting
from meetingapp.registrations.notify import issue_page_link
from tests.agenda_helpers import publish
from tests.factories import (
    AgendaItemFactory,
    ApprovedDelegateFactory,
    InvitationFactory,
    MeetingFactory,
    OrganisationFactory,
    SpeakerFactory,
)

TITLE = 'First Special Meeting, "CTC"; New York\nالاجتماع الخاص الأول — 特别会议'
DESCRIPTION = "Opening at 09:30, sharp; bring ID.\nSecond line: «security screening»"
VENUE = "United Nations Headquarters, Conference Room 4; North Lawn"
ADDRESS = "405 East 42nd Street, New York, NY 10017"
EST, EDT = timedelta(hours=-5), timedelta(hours=-4)


def build(app):
    """A meeting, two organisations with a delegate each, three items (not yet published)."""
    with app.test_request_context():
        meeting = MeetingFactory(title=TITLE, description=DESCRIPTION, venue=VENUE,
                                 address=ADDRESS,
                                 ends_at=datetime(2003, 4, 10, 22, 0, tzinfo=UTC))
        las = OrganisationFactory(name="League of Arab States", acronym="LAS")
        sco = OrganisationFactory(name="Shanghai Cooperation Organisation, SCO", acronym="SCO")
        inv_las = InvitationFactory(meeting=meeting, organisation=las, status="accepted")
        inv_sco = InvitationFactory(meeting=meeting, organisation=sco, status="accepted")
        ahmed = ApprovedDelegateFactory(invitation=inv_las, title="H.E. Mr.", given_name="أحمد",
                                        family_name="المنصوري", email="ahmed@las.example.org",
                                        email_key="ahmed@las.example.org")
        wang = ApprovedDelegateFactory(invitation=inv_sco, title="Mr.", given_name="",
                                       family_name="王小明", email="wang@sco.example.org",
                                       email_key="wang@sco.example.org")
        opening = AgendaItemFactory(
            meeting=meeting, title='Opening, by the Chair; "welcome"',
            description="Line one\nLine two, with a comma; and a semicolon",
            starts_at=datetime(2003, 3, 6, 15, 0, tzinfo=UTC),
            ends_at=datetime(2003, 3, 6, 15, 30, tzinfo=UTC), room="Conference Room 4")
        march = AgendaItemFactory(meeting=meeting, title="Follow-up on 30 March",
                                  starts_at=datetime(2003, 3, 30, 15, 0, tzinfo=UTC),
                                  ends_at=datetime(2003, 3, 30, 16, 0, tzinfo=UTC))
        april = AgendaItemFactory(meeting=meeting, title="Review on 10 April",
                                  starts_at=datetime(2003, 4, 10, 14, 0, tzinfo=UTC),
                                  ends_at=datetime(2003, 4, 10, 15, 0, tzinfo=UTC))
        SpeakerFactory(item=opening, organisation=las)
        SpeakerFactory(item=march, organisation=sco, delegate=wang)
        SpeakerFactory(item=april, organisation=las, delegate=ahmed)
        tokens = {"ahmed": issue_page_link(ahmed).rsplit("/", 1)[1],
                  "wang": issue_page_link(wang).rsplit("/", 1)[1]}
        db.session.commit()
        return {"id": meeting.id, "opening": opening.id, "march": march.id, "april": april.id,
                "ahmed": ahmed.id, "wang": wang.id, "tokens": tokens}


@pytest.fixture
def setup(app, staff_client):
    data = build(app)
    response = publish(staff_client, data["id"])
    assert response.status_code == 302, response.get_data(as_text=True)
    return data


def parse(response) -> Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith('.ics"')
    raw = response.get_data()
    check_raw(raw)
    return Calendar.from_ical(raw)


def check_raw(raw: bytes) -> None:
    """CRLF line ends, every line folded to at most 75 octets, valid UTF-8."""
    raw.decode("utf-8")
    assert raw.endswith(b"\r\n")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def check_calendar(calendar: Calendar) -> None:
    assert str(calendar["VERSION"]) == "2.0"
    assert "Special Meeting" in str(calendar["PRODID"])
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
    assert zones == ["America/New_York"]


def check_event(event, start: datetime, offset: timedelta) -> None:
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event["DTEND"].params["TZID"] == "America/New_York"
    local = event.decoded("DTSTART")
    assert local.replace(tzinfo=None) == start and local.utcoffset() == offset
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert event.to_ical().decode().count("DTSTAMP:") == 1
    assert "DTSTAMP:" in event.to_ical().decode() and "Z\r\n" in event.to_ical().decode()
    assert event.decoded("LAST-MODIFIED").utcoffset() == timedelta(0)
    assert "URL" in event and str(event["URL"]).startswith("http://localhost/")


def test_the_meeting_as_one_event(app, setup, staff_client):
    calendar = parse(staff_client.get(f"/meetings/{setup['id']}/calendar.ics"))
    check_calendar(calendar)
    found = events(calendar)
    assert list(found) == [f"meeting-{setup['id']}@localhost"]
    event = found[f"meeting-{setup['id']}@localhost"]
    # The First Special Meeting: 09:30 in New York on 6 March 2003, EST (UTC-5).
    check_event(event, datetime(2003, 3, 6, 9, 30), EST)
    assert str(event["SUMMARY"]) == TITLE
    assert DESCRIPTION in str(event["DESCRIPTION"])
    assert f"http://localhost/meetings/{setup['id']}" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == f"{VENUE}, {ADDRESS}"
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0
    raw = staff_client.get(f"/meetings/{setup['id']}/calendar.ics").get_data()
    unfolded = raw.replace(b"\r\n ", b"")
    assert b"LOCATION:United Nations Headquarters\\, Conference Room 4\\; North Lawn" in unfolded
    assert b"SUMMARY:First Special Meeting\\, \"CTC\"\\; New York\\n" in unfolded


def test_the_agenda_one_event_per_item_with_the_right_offsets(app, setup, staff_client):
    calendar = parse(staff_client.get(f"/meetings/{setup['id']}/calendar/agenda.ics"))
    check_calendar(calendar)
    found = events(calendar)
    assert set(found) == {f"meeting-{setup['id']}@localhost"} | {
        f"item-{setup[k]}@localhost" for k in ("opening", "march", "april")}
    check_event(found[f"item-{setup['opening']}@localhost"], datetime(2003, 3, 6, 10, 0), EST)
    check_event(found[f"item-{setup['march']}@localhost"], datetime(2003, 3, 30, 10, 0), EST)
    # Daylight time began on 6 April 2003: 10 April is EDT (UTC-4).
    check_event(found[f"item-{setup['april']}@localhost"], datetime(2003, 4, 10, 10, 0), EDT)
    opening = found[f"item-{setup['opening']}@localhost"]
    assert str(opening["SUMMARY"]) == 'Opening, by the Chair; "welcome"'
    assert "Line two, with a comma; and a semicolon" in str(opening["DESCRIPTION"])
    assert "League of Arab States (LAS)" in str(opening["DESCRIPTION"])
    assert str(opening["LOCATION"]) == f"Conference Room 4, {VENUE}, {ADDRESS}"


def test_one_item_and_unknown_items(app, setup, staff_client):
    calendar = parse(staff_client.get(
        f"/meetings/{setup['id']}/calendar/items/{setup['march']}.ics"))
    check_calendar(calendar)
    assert list(events(calendar)) == [f"item-{setup['march']}@localhost"]
    assert staff_client.get(f"/meetings/{setup['id']}/calendar/items/999999.ics"
                            ).status_code == 404
    assert staff_client.get("/meetings/999999/calendar.ics").status_code == 404


def test_staff_downloads_need_a_staff_account(app, setup, client, checkin_client):
    assert client.get(f"/meetings/{setup['id']}/calendar.ics").status_code == 302
    assert checkin_client.get(f"/meetings/{setup['id']}/calendar.ics").status_code == 403


def test_meeting_page_offers_add_to_calendar(app, setup, staff_client):
    page = staff_client.get(f"/meetings/{setup['id']}").get_data(as_text=True)
    assert "Add to calendar" in page
    assert f"/meetings/{setup['id']}/calendar/agenda.ics" in page
    assert f"/meetings/{setup['id']}/calendar/items/{setup['april']}.ics" in page


def test_the_delegates_own_calendar_holds_only_their_items(app, setup, client):
    token = setup["tokens"]["ahmed"]
    page = client.get(f"/d/{token}").get_data(as_text=True)
    assert "Add to calendar" in page and f"/d/{token}/calendar.ics" in page
    response = client.get(f"/d/{token}/calendar.ics")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    calendar = parse(response)
    check_calendar(calendar)
    assert set(events(calendar)) == {f"meeting-{setup['id']}@localhost",
                                     f"item-{setup['opening']}@localhost",
                                     f"item-{setup['april']}@localhost"}
    text = response.get_data().replace(b"\r\n ", b"").decode()
    assert "王小明" not in text and "wang@" not in text and "participants" not in text
    # The events link to the delegate's own page (the link the file was fetched with).
    page = f"http://localhost/d/{setup['tokens']['ahmed']}"
    assert {str(e["URL"]) for e in events(calendar).values()} == {page}
    assert setup["tokens"]["wang"] not in text and "/meetings" not in text
    other = parse(client.get(f"/d/{setup['tokens']['wang']}/calendar.ics"))
    assert set(events(other)) == {f"meeting-{setup['id']}@localhost",
                                  f"item-{setup['march']}@localhost"}
    assert "المنصوري" not in client.get(f"/d/{setup['tokens']['wang']}/calendar.ics"
                                        ).get_data(as_text=True)


def test_delegate_programme_and_item_downloads(app, setup, client):
    token = setup["tokens"]["wang"]
    calendar = parse(client.get(f"/d/{token}/calendar/agenda.ics"))
    assert len(events(calendar)) == 4
    calendar = parse(client.get(f"/d/{token}/calendar/items/{setup['april']}.ics"))
    assert list(events(calendar)) == [f"item-{setup['april']}@localhost"]
    assert client.get("/d/not-a-valid-token-at-all-000/calendar.ics").status_code == 404


def test_cancelled_meeting_and_item(app, setup, staff_client):
    with app.app_context():
        meeting = db.session.get(Meeting, setup["id"])
        meeting.status = "cancelled"
        db.session.commit()
    found = events(parse(staff_client.get(f"/meetings/{setup['id']}/calendar/agenda.ics")))
    assert {str(e["STATUS"]) for e in found.values()} == {"CANCELLED"}


def test_uid_host_comes_from_the_configuration(app, setup, staff_client):
    app.config["CALENDAR_UID_HOST"] = "Calendar.Example.org:8443"
    with app.app_context():
        meeting_id = MeetingFactory().id
        db.session.commit()
    found = events(parse(staff_client.get(f"/meetings/{meeting_id}/calendar.ics")))
    assert list(found) == [f"meeting-{meeting_id}@calendar.example.org"]
    # A meeting created before keeps the domain its UIDs were sent with.
    found = events(parse(staff_client.get(f"/meetings/{setup['id']}/calendar.ics")))
    assert list(found) == [f"meeting-{setup['id']}@localhost"]
