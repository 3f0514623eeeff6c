"""Outcomes: organisations' pages, overdue at a frozen date, history, carry-over, the link."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Invitation, Meeting, Outcome, OutcomeNote
from meetingapp.outcomes import services
from tests.factories import AgendaItemFactory, MeetingFactory, OrganisationFactory, OutcomeFactory
from tests.invitation_helpers import invitation_with_token, organisation_with_focal_point


@pytest.fixture
def frozen(monkeypatch):
    """Today is 1 June 2004 (UTC noon) for the outcomes."""
    monkeypatch.setattr(services, "utcnow", lambda: datetime(2004, 6, 1, 12, 0, tzinfo=UTC))


def test_staff_add_outcome_linked_to_several_organisations(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory()
        item = AgendaItemFactory(meeting=meeting, title="Session I")
        imf, icao = OrganisationFactory(name="International Monetary Fund", acronym="IMF"), \
            OrganisationFactory(name="International Civil Aviation Organization", acronym="ICAO")
        ids = meeting.id, item.id, imf.id, icao.id
    page = staff_client.get(f"/meetings/{ids[0]}/outcomes/new?item={ids[1]}")
    assert page.status_code == 200
    response = staff_client.post(f"/meetings/{ids[0]}/outcomes/new", data={
        "kind": "commitment", "text": "Share **best practices** in a web-friendly form",
        "agenda_item_id": str(ids[1]), "organisation_ids": [str(ids[2]), str(ids[3])],
        "owner_id": str(ids[2]), "due_on": "2004-03-01", "due_note": "before the next meeting"})
    assert response.status_code == 302
    with app.app_context():
        outcome = db.session.scalar(select(Outcome))
        assert outcome.agenda_item_id == ids[1] and outcome.owner_id == ids[2]
        assert {o.id for o in outcome.organisations} == {ids[2], ids[3]}
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "outcomes"))
    for org_id in ids[2:]:
        html = staff_client.get(f"/organisations/{org_id}").get_data(as_text=True)
        assert "<strong>best practices</strong>" in html
        assert "Open commitment" in html or "Overdue" in html


def test_outcome_of_another_meeting_item_is_refused(app, staff_client):
    with app.app_context():
        meeting, other = MeetingFactory(), MeetingFactory()
        item = AgendaItemFactory(meeting=other)
        ids = meeting.id, item.id
    response = staff_client.post(f"/meetings/{ids[0]}/outcomes/new", data={
        "kind": "conclusion", "text": "x", "agenda_item_id": str(ids[1])})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Outcome)) is None


def test_overdue_highlighted_at_frozen_date(app, staff_client, frozen):
    with app.app_context():
        meeting = MeetingFactory()
        org = OrganisationFactory(name="World Customs Organization", acronym="WCO")
        late = OutcomeFactory(meeting=meeting, kind="commitment", owner=org, organisations=[org],
                              due_on=date(2004, 5, 31), text="Late commitment")
        OutcomeFactory(meeting=meeting, kind="commitment", owner=org, organisations=[org],
                       due_on=date(2004, 6, 1), text="Due today")
        OutcomeFactory(meeting=meeting, kind="commitment", owner=org, organisations=[org],
                       due_on=date(2004, 1, 1), status="done", text="Done long ago")
        ids = meeting.id, org.id, late.id
    html = staff_client.get(f"/organisations/{ids[1]}").get_data(as_text=True)
    assert html.count("Overdue") == 1
    assert html.index("Overdue") < html.index("Late commitment")
    overview = staff_client.get(f"/meetings/{ids[0]}/outcomes/?overdue=1").get_data(as_text=True)
    assert "Late commitment" in overview and "Due today" not in overview
    assert "Done long ago" not in overview


def test_status_history_and_filters(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory()
        outcome = OutcomeFactory(meeting=meeting, kind="action", text="Update the contact list")
        OutcomeFactory(meeting=meeting, kind="summary", text="A summary")
        ids = meeting.id, outcome.id
    url = f"/meetings/{ids[0]}/outcomes/{ids[1]}"
    assert staff_client.post(url, data={"status": "in_progress",
                                        "comment": "Started"}).status_code == 302
    assert staff_client.post(url, data={"status": "done", "comment": ""}).status_code == 302
    assert staff_client.post(url, data={"status": "", "comment": "Checked"}).status_code == 302
    with app.app_context():
        notes = db.session.scalars(select(OutcomeNote).order_by(OutcomeNote.id)).all()
        assert [(n.status_from, n.status_to, n.comment) for n in notes] == [
            ("open", "in_progress", "Started"), ("in_progress", "done", ""),
            (None, None, "Checked")]
        assert db.session.get(Outcome, ids[1]).status == "done"
    page = staff_client.get(url).get_data(as_text=True)
    assert "Started" in page and "America/New_York" in page
    filtered = staff_client.get(f"/meetings/{ids[0]}/outcomes/?kind=summary").get_data(
        as_text=True)
    assert "A summary" in filtered and "Update the contact list" not in filtered


def test_carry_over_into_next_meeting(app, staff_client):
    with app.app_context():
        first = MeetingFactory()
        second = MeetingFactory(starts_at=datetime(2003, 10, 1, 14, tzinfo=UTC),
                                ends_at=datetime(2003, 10, 1, 22, tzinfo=UTC))
        org = OrganisationFactory()
        open_one = OutcomeFactory(meeting=first, kind="commitment", owner=org,
                                  organisations=[org], text="Report back at the next meeting")
        OutcomeFactory(meeting=first, kind="commitment", status="done", text="Finished")
        ids = first.id, second.id, open_one.id
    page = staff_client.get(f"/meetings/{ids[1]}/outcomes/carry-over").get_data(as_text=True)
    assert "Report back at the next meeting" in page and "Finished" not in page
    assert staff_client.post(f"/meetings/{ids[1]}/outcomes/carry-over",
                             data={"outcome_id": ids[2]}).status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Outcome).where(Outcome.meeting_id == ids[1]))
        assert copy.carried_from_id == ids[2] and copy.text.startswith("Report back")
    page = staff_client.get(f"/meetings/{ids[1]}/outcomes/carry-over").get_data(as_text=True)
    assert "Report back at the next meeting" not in page
    staff_client.post(f"/meetings/{ids[1]}/outcomes/carry-over", data={"outcome_id": ids[2]})
    with app.app_context():
        assert len(db.session.scalars(select(Outcome).where(
            Outcome.meeting_id == ids[1])).all()) == 1


def test_schema_refuses_unknown_kind_and_owner_on_conclusion(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        meeting, org = MeetingFactory(), OrganisationFactory()
        for bad in ({"kind": "wish"}, {"kind": "conclusion", "owner_id": org.id}):
            db.session.add(Outcome(meeting_id=meeting.id, text="x", status="open",
                                   **{"kind": "conclusion", **bad}))
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()


def test_representative_reports_progress_on_own_commitment_only(app, client, staff_client):
    with app.app_context():
        mine = organisation_with_focal_point(name="Organization of American States",
                                             acronym="OAS")
        theirs = organisation_with_focal_point(name="League of Arab States", acronym="LAS")
        inv_id, token = invitation_with_token(organisation=mine, status="accepted")
        meeting = db.session.get(Meeting, db.session.get(Invitation, inv_id).meeting_id)
        own = OutcomeFactory(meeting=meeting, kind="commitment", owner=mine,
                             organisations=[mine], text="OAS commitment",
                             due_on=date(2003, 1, 1))
        other = OutcomeFactory(meeting=meeting, kind="commitment", owner=theirs,
                               organisations=[theirs], text="LAS commitment")
        ids = meeting.id, own.id, other.id
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "OAS commitment" in page and "LAS commitment" not in page and "Overdue" in page
    refused = client.post(f"/i/{token}/commitments/{ids[2]}/progress",
                          data={"status": "done", "comment": "Not ours"})
    assert refused.status_code == 404
    assert client.post(f"/i/{token}/commitments/{ids[1]}/progress",
                       data={"status": "done", "comment": "Published"}).status_code == 302
    with app.app_context():
        note = db.session.scalar(select(OutcomeNote))
        assert note.review == "pending" and db.session.get(Outcome, ids[1]).status == "open"
        note_id = note.id
    detail = staff_client.get(f"/meetings/{ids[0]}/outcomes/{ids[1]}").get_data(as_text=True)
    assert "Awaiting review" in detail and "Published" in detail
    staff_client.post(f"/meetings/{ids[0]}/outcomes/notes/{note_id}/accept")
    with app.app_context():
        assert db.session.get(Outcome, ids[1]).status == "done"
        assert db.session.get(OutcomeNote, note_id).review == "accepted"


def test_staff_pages_need_staff(app, client, checkin_client):
    with app.app_context():
        meeting_id = MeetingFactory().id
    assert client.get(f"/meetings/{meeting_id}/outcomes/").status_code == 302
    assert checkin_client.get(f"/meetings/{meeting_id}/outcomes/").status_code == 403


def test_meeting_page_links_and_edit(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory()
        org = OrganisationFactory()
        outcome = OutcomeFactory(meeting=meeting, kind="recommendation", text="Old text")
        ids = meeting.id, outcome.id, org.id
    assert "Outcomes and report" in staff_client.get(f"/meetings/{ids[0]}").get_data(
        as_text=True)
    url = f"/meetings/{ids[0]}/outcomes/{ids[1]}/edit"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, data={"kind": "recommendation", "text": "New text",
                                            "organisation_ids": [str(ids[2])]})
    assert response.status_code == 302
    with app.app_context():
        outcome = db.session.get(Outcome, ids[1])
        assert outcome.text == "New text" and [o.id for o in outcome.organisations] == [ids[2]]
    assert staff_client.get(f"/meetings/{ids[0] + 1}/outcomes/{ids[1]}").status_code == 404


def test_agenda_item_page_lists_its_outcomes(app, staff_client):
    with app.app_context():
        meeting = MeetingFactory()
        item = AgendaItemFactory(meeting=meeting)
        OutcomeFactory(meeting=meeting, agenda_item_id=item.id, kind="conclusion",
                       text="Item conclusion")
        meeting_id, item_id = meeting.id, item.id
    html = staff_client.get(f"/meetings/{meeting_id}/agenda/items/{item_id}/edit").get_data(
        as_text=True)
    assert "Outcomes of this item" in html
    assert "Item conclusion" in html and f"item={item_id}" in html


def test_organisation_page_lists_outcomes_newest_meeting_first(app, staff_client):
    with app.app_context():
        org = OrganisationFactory()
        older = MeetingFactory()
        newer = MeetingFactory(starts_at=datetime(2004, 3, 11, 14, tzinfo=UTC),
                               ends_at=datetime(2004, 3, 11, 22, tzinfo=UTC))
        OutcomeFactory(meeting=older, organisations=[org], text="From New York 2003")
        OutcomeFactory(meeting=newer, organisations=[org], text="From Vienna 2004")
        OutcomeFactory(meeting=newer, text="Not about this organisation")
        org_id = org.id
    html = staff_client.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert html.index("From Vienna 2004") < html.index("From New York 2003")
    assert "Not about this organisation" not in html
