"""Editing the agenda: insert-and-shift, reorder and move, delete with confirmation,
the calendar SEQUENCE, and who may edit."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AgendaItem, AgendaSession, AuditEntry
from tests.agenda_helpers import first_special_meeting, get_item, item_form, item_id
from tests.factories import AgendaItemFactory, AgendaSessionFactory


def _utc(hour: int, minute: int = 0) -> datetime:
    return datetime(2003, 3, 6, hour, minute, tzinfo=UTC)


@pytest.fixture
def session_one(app):
    """Session I, 10:00-11:15 EST, with A 10:00-10:15, B 10:15-10:30, C 10:30-10:45;
    Session II at 11:30 and a lunch at 13:00. Returns (meeting id, session id)."""
    with app.app_context():
        meeting = first_special_meeting()
        session = AgendaSessionFactory(meeting=meeting, title="Session I")
        for n, title in enumerate("ABC"):
            AgendaItemFactory(meeting=meeting, session=session, title=title, position=n,
                              starts_at=_utc(15, 15 * n), ends_at=_utc(15, 15 * n + 15))
        AgendaSessionFactory(meeting=meeting, title="Session II", starts_at=_utc(16, 30),
                             ends_at=_utc(18))
        AgendaItemFactory(meeting=meeting, title="Lunch", kind="break", starts_at=_utc(18),
                          ends_at=_utc(20))
        return meeting.id, session.id


def _times(app) -> dict[str, tuple[str, str]]:
    """Every item and session: (start, end) on the New York wall clock."""
    with app.app_context():
        rows = list(db.session.scalars(select(AgendaItem))) + list(
            db.session.scalars(select(AgendaSession)))
        return {r.title: (f"{r.starts_at.hour - 5:02d}:{r.starts_at.minute:02d}",
                          f"{r.ends_at.hour - 5:02d}:{r.ends_at.minute:02d}") for r in rows}


def test_insert_and_shift_moves_every_later_item_of_the_day(app, staff_client, session_one):
    meeting_id, sid = session_one
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/items/new", data=item_form(
        "UNODC", "10:15", "10:30", session_id=sid, shift_later="y"))
    assert response.status_code == 302
    times = _times(app)
    assert times["A"] == ("10:00", "10:15")  # before the insertion point: untouched
    assert times["UNODC"] == ("10:15", "10:30")
    assert times["B"] == ("10:30", "10:45") and times["C"] == ("10:45", "11:00")
    assert times["Session I"] == ("10:00", "11:30")  # grows by the inserted length
    assert times["Session II"] == ("11:45", "13:15") and times["Lunch"] == ("13:15", "15:15")
    page = staff_client.get(f"/meetings/{meeting_id}/agenda/").get_data(as_text=True)
    assert "warning(s)" not in page


def test_insert_without_shift_overlaps_and_warns(app, staff_client, session_one):
    meeting_id, sid = session_one
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/items/new", data=item_form(
        "UNODC", "10:15", "10:30", session_id=sid), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Warning — Same room, same time" in page
    assert _times(app)["B"] == ("10:15", "10:30")


def test_lengthening_an_item_shifts_later_items_by_the_time_it_gained(app, staff_client,
                                                                      session_one):
    meeting_id, sid = session_one
    a = item_id(app, "A")
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/items/{a}/edit", data=item_form(
        "A", "10:00", "10:25", session_id=sid, shift_later="y"))
    assert response.status_code == 302
    times = _times(app)
    assert times["A"] == ("10:00", "10:25")
    assert times["B"] == ("10:25", "10:40") and times["C"] == ("10:40", "10:55")
    assert times["Session II"] == ("11:40", "13:10") and times["Lunch"] == ("13:10", "15:10")


def test_up_and_down_buttons_reorder_and_retime(app, staff_client, session_one):
    meeting_id, _ = session_one
    c = item_id(app, "C")
    assert staff_client.post(f"/meetings/{meeting_id}/agenda/items/{c}/up").status_code == 302
    times = _times(app)
    assert times["C"] == ("10:15", "10:30") and times["B"] == ("10:30", "10:45")
    assert get_item(app, "C").sequence == 1 and get_item(app, "A").sequence == 0
    page = staff_client.get(f"/meetings/{meeting_id}/agenda/").get_data(as_text=True)
    assert page.index(">A<") < page.index(">C<") < page.index(">B<")
    # The first item cannot go further up.
    a = item_id(app, "A")
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/items/{a}/up",
                                 follow_redirects=True)
    assert "already the first" in response.get_data(as_text=True)


def test_drag_and_drop_order_keeps_lengths_and_gaps(app, staff_client, session_one):
    meeting_id, sid = session_one
    a, b, c = (item_id(app, t) for t in "ABC")
    with app.app_context():  # make A longer and leave a gap after it
        item = db.session.get(AgendaItem, a)
        item.ends_at = _utc(15, 10)
        db.session.commit()
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/sessions/{sid}/order",
                                 data={"order": f"{c},{a},{b}"},
                                 headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    times = _times(app)
    assert times["C"] == ("10:00", "10:15")
    assert times["A"] == ("10:20", "10:30")  # the 5-minute gap stays after the first slot
    assert times["B"] == ("10:30", "10:45")
    # An order that does not match the session's items is refused.
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/sessions/{sid}/order",
                                 data={"order": f"{c},{a}"},
                                 headers={"Accept": "application/json"})
    assert response.status_code == 409 and "does not match" in response.get_json()["error"]


def test_move_to_another_session_at_its_end_or_keeping_the_time(app, staff_client, session_one):
    meeting_id, _ = session_one
    with app.app_context():
        second = db.session.scalar(select(AgendaSession.id).where(
            AgendaSession.title == "Session II"))
    b = item_id(app, "B")
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/items/{b}/move", data={
        f"move-{b}-session_id": second, f"move-{b}-placement": "end"})
    assert response.status_code == 302
    moved = get_item(app, "B")
    assert moved.session_id == second
    assert _times(app)["B"] == ("11:30", "11:45")  # the start of the empty Session II
    c = item_id(app, "C")
    staff_client.post(f"/meetings/{meeting_id}/agenda/items/{c}/move", data={
        f"move-{c}-session_id": "", f"move-{c}-placement": "keep"})
    assert get_item(app, "C").session_id is None and _times(app)["C"] == ("10:30", "10:45")
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "move"))


def test_delete_asks_first_then_deletes_a_draft_item(app, staff_client, session_one):
    meeting_id, _ = session_one
    a = item_id(app, "A")
    page = staff_client.get(f"/meetings/{meeting_id}/agenda/items/{a}/delete")
    assert "Delete “A”?" in page.get_data(as_text=True)
    assert item_id(app, "A") == a  # asking changes nothing
    staff_client.post(f"/meetings/{meeting_id}/agenda/items/{a}/delete")
    assert item_id(app, "A") is None


def test_a_published_item_is_cancelled_not_deleted(app, staff_client, session_one):
    meeting_id, _ = session_one
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "A"))
        item.was_published = True
        db.session.commit()
    staff_client.post(f"/meetings/{meeting_id}/agenda/items/{item_id(app, 'A')}/delete")
    cancelled = get_item(app, "A")
    assert cancelled.status == "cancelled" and cancelled.sequence == 1
    page = staff_client.get(f"/meetings/{meeting_id}/agenda/").get_data(as_text=True)
    assert "<del>A</del>" in page
    staff_client.post(f"/meetings/{meeting_id}/agenda/items/{cancelled.id}/restore")
    restored = get_item(app, "A")
    assert restored.status == "scheduled" and restored.sequence == 2


def test_a_session_with_items_is_not_deleted(app, staff_client, session_one):
    meeting_id, sid = session_one
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/sessions/{sid}/delete",
                                 follow_redirects=True)
    assert "Move or delete the session&#39;s items first" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(AgendaSession, sid).status == "scheduled"


def test_sequence_rises_on_time_and_room_but_not_on_title(app, staff_client, session_one):
    meeting_id, sid = session_one
    a = item_id(app, "A")
    url = f"/meetings/{meeting_id}/agenda/items/{a}/edit"
    staff_client.post(url, data=item_form("A, renamed", "10:00", "10:15", session_id=sid))
    assert get_item(app, "A, renamed").sequence == 0
    staff_client.post(url, data=item_form("A, renamed", "10:00", "10:15", session_id=sid,
                                          room="Trusteeship Council Chamber"))
    assert get_item(app, "A, renamed").sequence == 1


def test_times_that_do_not_make_sense_are_refused_next_to_the_field(app, staff_client,
                                                                     session_one):
    meeting_id, _ = session_one
    response = staff_client.post(f"/meetings/{meeting_id}/agenda/items/new",
                                 data=item_form("Backwards", "11:00", "10:00"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The end must be after the start." in page
    assert 'aria-invalid="true"' in page and item_id(app, "Backwards") is None


def test_only_staff_edit_the_agenda(app, client, checkin_client, session_one):
    meeting_id, _ = session_one
    assert checkin_client.get(f"/meetings/{meeting_id}/agenda/").status_code == 403
    assert client.get(f"/meetings/{meeting_id}/agenda/").status_code == 302
    assert client.post(f"/meetings/{meeting_id}/agenda/items/new",
                       data=item_form("X", "10:00", "11:00")).status_code == 302
    assert item_id(app, "X") is None


def test_meeting_page_links_to_the_agenda(staff_client, session_one):
    meeting_id, _ = session_one
    page = staff_client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f"/meetings/{meeting_id}/agenda/" in page and "draft" in page


def test_staff_keep_the_topic_list_and_tag_items(app, staff_client, session_one):
    meeting_id, sid = session_one
    base = f"/meetings/{meeting_id}/agenda"
    with app.app_context():
        from meetingapp.models import Topic

        db.session.execute(Topic.__table__.delete())  # as after tests emptied the seed rows
        db.session.commit()
    staff_client.post(f"{base}/topics/defaults")
    staff_client.post(f"{base}/topics/", data={"name": "Cyber  security"})
    response = staff_client.post(f"{base}/topics/", data={"name": "cyber security"})
    assert "There is already a topic “Cyber security”" in response.get_data(as_text=True)
    with app.app_context():
        topics = {t.name: t.id for t in db.session.scalars(select(Topic))}
    assert {"Terrorist financing", "Capacity-building assistance", "Cyber security"} <= set(topics)
    assert len(topics) == 7
    staff_client.post(f"{base}/topics/{topics['Cyber security']}",
                      data={"action": "rename", "name": "Cybersecurity"})
    staff_client.post(f"{base}/topics/{topics['Cyber security']}", data={"action": "retire"})
    a = item_id(app, "A")
    staff_client.post(f"{base}/items/{a}/edit", data=item_form(
        "A", "10:00", "10:15", session_id=sid,
        topic_ids=[topics["Terrorist financing"], topics["Information sharing"]]))
    page = staff_client.get(f"{base}/print").get_data(as_text=True)
    assert "Topics: Information sharing, Terrorist financing" in page
    form = staff_client.get(f"{base}/items/{a}/edit").get_data(as_text=True)
    assert "Cybersecurity" not in form  # retired: no longer offered
    with app.app_context():
        retired = db.session.get(Topic, topics["Cyber security"])
        assert (retired.name, retired.active) == ("Cybersecurity", False)


def test_editor_pages_have_no_inline_script_or_style(app, staff_client, session_one):
    meeting_id, _ = session_one
    base = f"/meetings/{meeting_id}/agenda"
    for url in (f"{base}/", f"{base}/items/new", f"{base}/publish", f"{base}/print",
                f"{base}/proposals/", f"{base}/topics/"):
        page = staff_client.get(url).get_data(as_text=True)
        scripts = re.findall(r"<script([^>]*)>", page)
        assert all("src=" in attributes for attributes in scripts), (url, scripts)
        assert " style=" not in page and "onclick" not in page, url
    page = staff_client.get(f"{base}/").get_data(as_text=True)
    assert '<script src="/static/js/agenda.js" defer></script>' in page
    assert staff_client.get("/static/js/agenda.js").status_code == 200
