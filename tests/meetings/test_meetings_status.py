"""Meetings: status changes, the audit trail, access rights, sections added by other
features, and the services on their own."""

import html
import re
from datetime import UTC, datetime

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, select

from meetingapp import hooks
from meetingapp.extensions import db
from meetingapp.meetings import services
from meetingapp.meetings.services import (
    TIME_FIELDS,
    MeetingDetails,
    MeetingError,
    change_status,
    create_meeting,
)
from meetingapp.models import AuditEntry, Meeting
from tests.factories import MeetingFactory
from tests.meetings.test_meetings import form_data


def status_of(app, meeting_id):
    with app.app_context():
        return db.session.get(Meeting, meeting_id).status


def audit_entries(app, action=None):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        entries = db.session.scalars(query).all()
        db.session.expunge_all()
        return entries


@pytest.mark.parametrize(("start", "target"), [
    ("draft", "open"), ("open", "closed"), ("closed", "open"), ("closed", "held"),
])
def test_allowed_status_change_is_made_and_audited(app, staff_client, start, target):
    with app.app_context():
        meeting = MeetingFactory(status=start)
    response = staff_client.post(f"/meetings/{meeting.id}/status", data={"status": target},
                                 follow_redirects=True)
    assert response.status_code == 200
    assert status_of(app, meeting.id) == target
    (entry,) = audit_entries(app, "change_status")
    assert entry.changes == {"status": [start, target]}
    assert entry.meeting_id == meeting.id and entry.actor == "staff@example.org"


@pytest.mark.parametrize(("start", "target"), [
    ("draft", "held"), ("draft", "closed"), ("open", "draft"), ("open", "held"),
    ("held", "open"), ("held", "cancelled"), ("cancelled", "open"), ("open", "open"),
    ("open", "finished"),
])
def test_refused_status_change_says_why_and_changes_nothing(app, staff_client, start, target):
    with app.app_context():
        meeting = MeetingFactory(status=start)
    response = staff_client.post(f"/meetings/{meeting.id}/status",
                                 data={"status": target, "confirmed": "yes"},
                                 follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert 'class="alert alert-danger"' in page
    assert "cannot become" in page or "already" in page or "is not a meeting status" in page
    assert status_of(app, meeting.id) == start
    assert audit_entries(app) == []


def test_final_status_message_is_clear(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(status="held")
    response = staff_client.post(f"/meetings/{meeting.id}/status", data={"status": "open"},
                                 follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "A meeting that is “Held” cannot become “Open for registration”. " \
           "Its status is final." in page


def test_detail_shows_buttons_for_allowed_transitions_only(app, staff_client):
    with app.app_context():
        closed_id = MeetingFactory(status="closed").id
        held_id = MeetingFactory(status="held").id
    page = staff_client.get(f"/meetings/{closed_id}").get_data(as_text=True)
    assert 'name="status" value="open"' in page and "Open registration" in page
    assert 'name="status" value="held"' in page and "Mark as held" in page
    assert 'name="status" value="closed"' not in page
    assert f'href="/meetings/{closed_id}/cancel"' in page
    page = staff_client.get(f"/meetings/{held_id}").get_data(as_text=True)
    assert 'name="status"' not in page and "This status is final." in page
    assert f'href="/meetings/{held_id}/cancel"' not in page


def test_cancelling_asks_for_confirmation_first(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(status="open")
    response = staff_client.post(f"/meetings/{meeting.id}/status", data={"status": "cancelled"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}/cancel")
    assert status_of(app, meeting.id) == "open"

    page = staff_client.get(f"/meetings/{meeting.id}/cancel").get_data(as_text=True)
    assert "This cannot be undone" in page and "Yes, cancel the meeting" in page
    assert 'name="confirmed" type="hidden" value="yes"' in page

    staff_client.post(f"/meetings/{meeting.id}/status",
                      data={"status": "cancelled", "confirmed": "yes"})
    assert status_of(app, meeting.id) == "cancelled"
    (entry,) = audit_entries(app, "change_status")
    assert entry.changes == {"status": ["open", "cancelled"]}


def test_cancel_page_of_a_final_meeting_sends_back(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(status="held")
    response = staff_client.get(f"/meetings/{meeting.id}/cancel", follow_redirects=True)
    assert "cannot be cancelled" in html.unescape(response.get_data(as_text=True))


def test_there_is_no_way_to_delete_a_meeting(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory()
    assert staff_client.delete(f"/meetings/{meeting.id}").status_code == 405
    assert staff_client.post(f"/meetings/{meeting.id}/delete").status_code == 404
    assert status_of(app, meeting.id) == "open"


def test_creation_is_audited_with_every_value(app, staff_client):
    staff_client.post("/meetings/new", data=form_data())
    (entry,) = audit_entries(app)
    assert entry.action == "create" and entry.object_type == "meetings"
    assert entry.meeting_id == entry.object_id
    assert entry.changes["title"][1].startswith("First Special Meeting")
    assert entry.changes["starts_at"] == [None, "2003-03-06T14:30:00+00:00"]
    assert entry.changes["status"] == [None, "draft"]
    assert entry.changes["timezone"] == [None, "America/New_York"]


def test_edit_is_audited_with_old_and_new_values(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(number=1, title="Old title")
    staff_client.post(f"/meetings/{meeting.id}/edit",
                      data=form_data(title="New title", starts_at="2003-03-06T10:00"))
    (entry,) = audit_entries(app, "update")
    assert entry.changes["title"] == ["Old title", "New title"]
    assert entry.changes["starts_at"] == ["2003-03-06T14:30:00+00:00",
                                          "2003-03-06T15:00:00+00:00"]
    assert "venue" not in entry.changes
    log = staff_client.get(f"/audit/?meeting={meeting.id}").get_data(as_text=True)
    assert "Old title" in log and "New title" in log


def test_saving_without_changes_writes_no_audit_entry(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(number=1, title=form_data()["title"],
                                 description=form_data()["description"])
    response = staff_client.post(f"/meetings/{meeting.id}/edit", data=form_data(),
                                 follow_redirects=True)
    assert "Nothing was changed." in response.get_data(as_text=True)
    assert audit_entries(app) == []


def test_detail_links_to_the_meetings_audit_log(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory()
    page = staff_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/audit/?meeting={meeting.id}"' in page


def test_unknown_meeting_is_404(staff_client):
    assert staff_client.get("/meetings/999").status_code == 404
    assert staff_client.get("/meetings/999/edit").status_code == 404
    assert staff_client.post("/meetings/999/status", data={"status": "open"}).status_code == 404


def test_admin_can_manage_meetings(app, admin_client):
    assert admin_client.get("/meetings/new").status_code == 200
    assert admin_client.post("/meetings/new", data=form_data()).status_code == 302


def test_checkin_user_gets_403_everywhere(app, checkin_client):
    with app.app_context():
        meeting = MeetingFactory(status="draft")
    for url in ("/meetings/", f"/meetings/{meeting.id}", "/meetings/new",
                f"/meetings/{meeting.id}/edit", f"/meetings/{meeting.id}/cancel"):
        assert checkin_client.get(url).status_code == 403, url
    assert checkin_client.post("/meetings/new", data=form_data()).status_code == 403
    assert checkin_client.post(f"/meetings/{meeting.id}/status",
                               data={"status": "open"}).status_code == 403
    assert status_of(app, meeting.id) == "draft"


def test_anonymous_user_is_sent_to_login(app, client):
    with app.app_context():
        meeting = MeetingFactory(status="draft")
    for url in ("/meetings/", f"/meetings/{meeting.id}", "/meetings/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    response = client.post(f"/meetings/{meeting.id}/status", data={"status": "open"})
    assert response.status_code == 302
    assert status_of(app, meeting.id) == "draft"


def test_status_change_needs_the_csrf_token(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory(status="draft")
    app.config["WTF_CSRF_ENABLED"] = True  # after the fixture has signed in without it
    response = staff_client.post(f"/meetings/{meeting.id}/status", data={"status": "open"})
    assert response.status_code == 400
    assert status_of(app, meeting.id) == "draft"
    page = staff_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    button = page[page.index(f'action="/meetings/{meeting.id}/status"'):]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', button).group(1)
    staff_client.post(f"/meetings/{meeting.id}/status",
                      data={"status": "open", "csrf_token": token})
    assert status_of(app, meeting.id) == "open"


def test_later_features_add_sections_to_the_meeting_page(app, staff_client):
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({"test/_section.html":
                    "<section><h2>Invitations</h2>{{ section.count }} for {{ meeting.title }}"
                    "</section>"}),
        app.jinja_env.loader,
    ])
    # A new feature's section, added without touching the meetings feature: app-local.
    hooks.add_section(app, hooks.MEETING_PAGE, "test/_section.html",
                      position=hooks.Position.INVITATIONS - 1,
                      context=lambda meeting: {"count": 12})
    hooks.add_section(app, hooks.MEETING_PAGE, "test/_section.html",  # replaces
                      position=hooks.Position.INVITATIONS - 1,
                      context=lambda meeting: {"count": 13})
    with app.app_context():
        meeting = MeetingFactory(title="Almaty 2005")
    page = staff_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "<h2>Invitations</h2>13 for Almaty 2005" in page
    assert page.count("<h2>Invitations</h2>") == 1
    # Its position puts it before the invitations' own section.
    assert page.index("13 for Almaty 2005") < page.index('id="invitations-heading"')


def test_the_meeting_page_shows_its_sections_in_the_order_of_a_meeting_s_life(staff_client,
                                                                               app):
    with app.app_context():
        meeting = MeetingFactory()
    page = staff_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    headings = ["invitations-heading", "registrations-heading", "agenda-heading",
                "badges-heading", "outcomes-heading", "calendar-heading"]
    found = [page.index(f'id="{h}"') for h in headings]
    assert found == sorted(found), dict(zip(headings, found, strict=True))


def test_a_hook_point_must_be_known(app):
    with pytest.raises(ValueError, match="unknown hook point"):
        hooks.add_section(app, "meeting-pgae", "x.html", position=1)


def test_services_work_outside_a_request_and_flush_only(app):
    with app.app_context():
        meeting = create_meeting(MeetingDetails(
            title="Washington 2003", venue="Organization of American States",
            timezone="America/New_York", number=2,
            starts_at=datetime(2003, 10, 7, 9, 0), ends_at=datetime(2003, 10, 7, 17, 0),
            registration_opens_at=datetime(2003, 8, 1, 9, 0),
            registration_closes_at=datetime(2003, 10, 1, 17, 0)))
        assert meeting.starts_at == datetime(2003, 10, 7, 13, 0, tzinfo=UTC)  # EDT
        change_status(meeting, "open")
        db.session.rollback()  # nothing was committed by the services
        assert db.session.scalar(select(Meeting)) is None
        assert db.session.scalar(select(AuditEntry)) is None


@pytest.mark.parametrize(("values", "field"), [
    ({"number": 9}, "number"),
    ({"ends_at": datetime(2003, 3, 6, 14, 30, tzinfo=UTC)}, "ends_at"),
])
def test_constraint_refused_by_the_database_becomes_a_field_error(app, values, field):
    # What happens when two people save at once and both pass the checks.
    with app.app_context():
        MeetingFactory(number=9)
        row = {c: getattr(MeetingFactory.build(), c) for c in TIME_FIELDS}
        db.session.add(Meeting(title="Race", venue="Here", timezone="UTC",
                               **{**row, "number": 10, **values}))
        with pytest.raises(MeetingError) as refused:
            services._flush()
        assert list(refused.value.errors) == [field]
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
