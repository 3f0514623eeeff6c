"""Meetings: creating and editing them, times in the meeting's zone, validation, the list."""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Meeting
from tests.factories import MeetingFactory

# The first Special Meeting: 6 March 2003, 09:30-18:00 in New York (EST, UTC-5).
FIRST_MEETING = {
    "title": "First Special Meeting of the CTC with international, regional and "
             "sub-regional organisations",
    "number": "1",
    "description": "Global standards on counter-terrorism.\nThe role of regional organisations.",
    "venue": "United Nations Headquarters",
    "address": "405 East 42nd Street, New York, NY 10017",
    "timezone": "America/New_York",
    "starts_at": "2003-03-06T09:30",
    "ends_at": "2003-03-06T18:00",
    "registration_opens_at": "2003-01-15T09:00",
    "registration_closes_at": "2003-02-28T23:59",
    "delegates_per_organisation": "5",
}


def form_data(**changes):
    return {**FIRST_MEETING, **changes}


def field_error(page: str, field_id: str) -> str:
    """The error shown next to a field ('' when there is none)."""
    match = re.search(rf'<div id="{field_id}-error"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def meeting_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Meeting))


def test_create_meeting_stores_utc_and_shows_the_meeting_zone(app, staff_client):
    response = staff_client.post("/meetings/new", data=form_data())
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert meeting.starts_at == datetime(2003, 3, 6, 14, 30, tzinfo=UTC)
        assert meeting.ends_at == datetime(2003, 3, 6, 23, 0, tzinfo=UTC)
        assert meeting.registration_closes_at == datetime(2003, 3, 1, 4, 59, tzinfo=UTC)
        assert meeting.status == "draft" and meeting.number == 1
        meeting_id = meeting.id
    assert response.headers["Location"].endswith(f"/meetings/{meeting_id}")

    detail = staff_client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "06 March 2003, 09:30 EST (America/New_York)" in detail
    assert "06 March 2003, 18:00 EST (America/New_York)" in detail
    assert "28 February 2003, 23:59 EST (America/New_York)" in detail
    assert "Draft" in detail

    listing = staff_client.get("/meetings/").get_data(as_text=True)
    assert "06 March 2003, 09:30–18:00 EST (America/New_York)" in listing
    assert "United Nations Headquarters" in listing


def test_summer_meeting_is_shown_in_daylight_time(app, staff_client):
    staff_client.post("/meetings/new", data=form_data(
        starts_at="2003-06-05T10:00", ends_at="2003-06-06T13:00",
        registration_closes_at="2003-06-01T12:00"))
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert meeting.starts_at == datetime(2003, 6, 5, 14, 0, tzinfo=UTC)
        meeting_id = meeting.id
    detail = staff_client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "05 June 2003, 10:00 EDT (America/New_York)" in detail
    listing = staff_client.get("/meetings/").get_data(as_text=True)
    assert "05 June 2003, 10:00 EDT – 06 June 2003, 13:00 EDT (America/New_York)" in listing


def test_zone_without_abbreviation_is_shown_as_utc_offset(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(
            timezone="Asia/Almaty", starts_at=datetime(2005, 1, 26, 3, 0, tzinfo=UTC),
            ends_at=datetime(2005, 1, 26, 11, 0, tzinfo=UTC),
            registration_closes_at=datetime(2005, 1, 20, 0, 0, tzinfo=UTC))
    detail = staff_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "26 January 2005, 09:00 UTC+06 (Asia/Almaty)" in detail


def test_form_says_times_are_in_the_meetings_zone(staff_client):
    page = html.unescape(staff_client.get("/meetings/new").get_data(as_text=True))
    assert "in the meeting's time zone" in page
    assert 'type="datetime-local"' in page
    assert '<datalist id="zone-names">' in page and '<option value="Europe/Vienna">' in page
    assert "<script>" not in page.split("</footer>")[0]  # no inline JavaScript


def test_edit_form_shows_times_in_the_meetings_zone(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory()
    page = staff_client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert 'value="2003-03-06T09:30"' in page
    assert 'value="2003-03-06T18:00"' in page
    assert 'value="America/New_York"' in page
    assert "wall-clock times are kept" in page


def test_changing_the_zone_reads_the_same_wall_clock_times_in_the_new_zone(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(number=3)
    data = form_data(number="3", timezone="Europe/Vienna", title="Vienna meeting")
    response = staff_client.post(f"/meetings/{meeting.id}/edit", data=data)
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Meeting, meeting.id)
        # 09:30 in Vienna in March 2003 is CET, UTC+1.
        assert saved.starts_at == datetime(2003, 3, 6, 8, 30, tzinfo=UTC)
        assert saved.timezone == "Europe/Vienna"
    detail = staff_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "06 March 2003, 09:30 CET (Europe/Vienna)" in detail


def test_edit_keeps_its_own_number(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(number=4)
    response = staff_client.post(f"/meetings/{meeting.id}/edit",
                                 data=form_data(number="4", venue="Palais des Nations"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).venue == "Palais des Nations"


BAD_INPUTS = [
    ("ends_at", {"ends_at": "2003-03-06T09:30"}, "must end after it starts"),
    ("ends_at", {"ends_at": "2003-03-06T08:00"}, "must end after it starts"),
    ("registration_closes_at", {"registration_closes_at": "2003-01-10T09:00"},
     "Registration must close after it opens"),
    ("registration_closes_at", {"registration_closes_at": "2003-03-06T18:30"},
     "Registration must close before the meeting ends (06 March 2003, 18:00 EST"),
    ("timezone", {"timezone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone we know"),
    ("timezone", {"timezone": ""}, "This field is required."),
    ("starts_at", {"starts_at": "2026-03-08T02:30", "ends_at": "2026-03-08T18:00",
                   "registration_opens_at": "2026-02-01T09:00",
                   "registration_closes_at": "2026-03-01T09:00"},
     "08 March 2026 02:30 does not exist in America/New_York"),
    ("registration_opens_at", {"registration_opens_at": "2003-04-06T02:15",
                               "starts_at": "2003-04-10T09:00", "ends_at": "2003-04-10T18:00",
                               "registration_closes_at": "2003-04-08T09:00"},
     "does not exist in America/New_York"),
    ("starts_at", {"starts_at": ""}, "Enter when the meeting starts."),
    ("ends_at", {"ends_at": "next Thursday"}, "Enter a date and time, for example"),
    ("registration_opens_at", {"registration_opens_at": "2003-13-45T09:00"},
     "Enter a date and time"),
    ("title", {"title": "   "}, "This field is required."),
    ("title", {"title": "x" * 301}, "longer than 300 characters"),
    ("venue", {"venue": ""}, "This field is required."),
    ("venue", {"venue": "v" * 301}, "longer than 300 characters"),
    ("address", {"address": "a" * 501}, "longer than 500 characters"),
    ("description", {"description": "d" * 20001}, "longer than 20000 characters"),
    ("number", {"number": "first"}, "Enter a whole number, such as 5."),
    ("number", {"number": "0"}, "must be between 1 and 9999"),
    ("number", {"number": "99999999999999999999"}, "must be between 1 and 9999"),
    ("number", {"number": "-2"}, "must be between 1 and 9999"),
    ("delegates_per_organisation", {"delegates_per_organisation": "0"}, "from 1 to 100"),
    ("delegates_per_organisation", {"delegates_per_organisation": "101"}, "from 1 to 100"),
    ("delegates_per_organisation", {"delegates_per_organisation": "five"},
     "Enter a whole number, such as 5."),
    ("delegates_per_organisation", {"delegates_per_organisation": ""},
     "This field is required."),
]


@pytest.mark.parametrize(("field", "changes", "message"), BAD_INPUTS)
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(
        app, staff_client, field, changes, message):
    response = staff_client.post("/meetings/new", data=form_data(**changes))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in field_error(page, field)
    assert f'aria-describedby="{field}-help {field}-error"' in page or \
        f'aria-describedby="{field}-error"' in page
    assert meeting_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(AuditEntry)) is None


@pytest.mark.parametrize(("field", "changes", "message"), BAD_INPUTS[:8])
def test_bad_input_on_edit_changes_nothing(app, staff_client, field, changes, message):
    with app.app_context():
        meeting = MeetingFactory(title="Unchanged", number=1)
    response = staff_client.post(f"/meetings/{meeting.id}/edit",
                                 data=form_data(**changes, title="Changed"))
    assert response.status_code == 200
    assert message in field_error(response.get_data(as_text=True), field)
    with app.app_context():
        saved = db.session.get(Meeting, meeting.id)
        assert saved.title == "Unchanged" and saved.timezone == "America/New_York"
        assert saved.starts_at == datetime(2003, 3, 6, 14, 30, tzinfo=UTC)


def test_missing_field_is_required_on_edit_not_kept(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(number=1)
    data = form_data()
    del data["starts_at"]
    response = staff_client.post(f"/meetings/{meeting.id}/edit", data=data)
    assert "Enter when the meeting starts." in field_error(
        response.get_data(as_text=True), "starts_at")


def test_several_problems_are_shown_at_once(app, staff_client):
    response = staff_client.post("/meetings/new", data=form_data(
        ends_at="2003-03-05T18:00", registration_closes_at="2003-01-01T09:00"))
    page = response.get_data(as_text=True)
    assert "must end after it starts" in field_error(page, "ends_at")
    assert "must close after it opens" in field_error(page, "registration_closes_at")


def test_duplicate_number_is_refused_on_the_number_field(app, staff_client):
    with app.app_context():
        MeetingFactory(number=7, title="Nairobi 2007")
    response = staff_client.post("/meetings/new", data=form_data(number="7"))
    assert response.status_code == 200
    assert "Number 7 is already used by “Nairobi 2007”." in field_error(
        response.get_data(as_text=True), "number")
    assert meeting_count(app) == 1


def test_duplicate_number_on_edit_is_refused(app, staff_client):
    with app.app_context():
        MeetingFactory(number=7)
        other = MeetingFactory(number=8)
    response = staff_client.post(f"/meetings/{other.id}/edit", data=form_data(number="7"))
    assert "already used" in field_error(response.get_data(as_text=True), "number")
    with app.app_context():
        assert db.session.get(Meeting, other.id).number == 8


def test_number_is_optional(app, staff_client):
    staff_client.post("/meetings/new", data=form_data(number=""))
    staff_client.post("/meetings/new", data=form_data(number="", title="Another"))
    with app.app_context():
        assert db.session.scalars(select(Meeting.number)).all() == [None, None]


def test_markup_in_text_is_shown_escaped(app, staff_client):
    script = "<script>alert('x')</script>"
    staff_client.post("/meetings/new", data=form_data(
        title=f"Title {script}", description=f"<b>bold</b> {script}", venue=f"Venue {script}",
        address="<img src=x onerror=alert(1)>"))
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id))
    for url in ("/meetings/", f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/edit",
                f"/meetings/{meeting_id}/cancel"):
        page = staff_client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page and "<b>bold" not in page, url
        assert "&lt;script&gt;alert(" in page, url


def test_description_keeps_its_line_breaks(app, staff_client):
    staff_client.post("/meetings/new", data=form_data())
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id))
    page = staff_client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Global standards on counter-terrorism.<br>The role of regional" in page


def test_list_is_newest_first_and_paginated(app, staff_client):
    per_page = app.config["PER_PAGE"]
    with app.app_context():
        for n in range(per_page + 2):
            MeetingFactory(title=f"Meeting in {2000 + n}",
                           starts_at=datetime(2000 + n, 3, 6, 14, 30, tzinfo=UTC),
                           ends_at=datetime(2000 + n, 3, 6, 23, 0, tzinfo=UTC),
                           registration_opens_at=datetime(1999, 1, 1, tzinfo=UTC),
                           registration_closes_at=datetime(2000 + n, 3, 1, tzinfo=UTC))
    first = staff_client.get("/meetings/").get_data(as_text=True)
    newest, oldest = f"Meeting in {2000 + per_page + 1}", "Meeting in 2000"
    assert newest in first and oldest not in first
    assert first.index(newest) < first.index(f"Meeting in {2000 + per_page}")
    assert f"{per_page + 2} in all, page 1 of 2" in first
    assert 'href="/meetings/?page=2"' in first
    second = staff_client.get("/meetings/?page=2").get_data(as_text=True)
    assert oldest in second and newest not in second


def test_list_filters_by_status(app, staff_client):
    with app.app_context():
        MeetingFactory(title="Held in Washington", status="held")
        MeetingFactory(title="Draft for Vienna", status="draft")
    page = staff_client.get("/meetings/?status=held").get_data(as_text=True)
    assert "Held in Washington" in page and "Draft for Vienna" not in page
    assert '<option selected value="held">' in page
    page = staff_client.get("/meetings/?status=cancelled").get_data(as_text=True)
    assert "No meeting has this status." in page
    page = staff_client.get("/meetings/?status=nonsense").get_data(as_text=True)
    assert "Held in Washington" in page and "Draft for Vienna" in page


def test_list_shows_each_meeting_in_its_own_zone(app, staff_client):
    with app.app_context():
        MeetingFactory(title="Vienna 2004", timezone="Europe/Vienna",
                       starts_at=datetime(2004, 3, 11, 8, 0, tzinfo=UTC),
                       ends_at=datetime(2004, 3, 12, 16, 0, tzinfo=UTC),
                       registration_closes_at=datetime(2004, 3, 1, tzinfo=UTC))
        MeetingFactory()
    page = staff_client.get("/meetings/").get_data(as_text=True)
    assert "11 March 2004, 09:00 CET – 12 March 2004, 17:00 CET (Europe/Vienna)" in page
    assert "06 March 2003, 09:30–18:00 EST (America/New_York)" in page


def test_a_date_beyond_what_the_system_accepts_is_a_message_not_a_500(staff_client):
    from meetingapp.timezones import NonExistentLocalTime, local_to_utc

    with pytest.raises(NonExistentLocalTime, match="outside the dates this system accepts"):
        local_to_utc(datetime(9999, 12, 31, 23, 59), "America/New_York")
