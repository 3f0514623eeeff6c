"""Publication: numbered versions, exactly the changes made in between, the notice to
approved delegates (and its hook), the programme on the links, print and PDF."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from meetingapp import hooks
from meetingapp.agenda.publication import (
    published_programme,
)
from meetingapp.extensions import db
from meetingapp.models import AgendaItem, Meeting, OutboxMessage
from meetingapp.tokens import new_token
from tests.agenda_helpers import first_special_meeting, invite, item_form, item_id, publish
from tests.agenda_helpers import versions as versions_of
from tests.factories import (
    AgendaItemFactory,
    AgendaSessionFactory,
    ApprovedDelegateFactory,
    DelegateFactory,
    SpeakerFactory,
)
from tests.registration_helpers import pdf_text


def _utc(hour: int, minute: int = 0) -> datetime:
    return datetime(2003, 3, 6, hour, minute, tzinfo=UTC)


@pytest.fixture
def agenda(app):
    """A small programme; IMF (accepted, with a link token) has an approved and a pending
    delegate, the approved one with a page token. Returns ids and tokens."""
    with app.app_context():
        meeting = first_special_meeting()
        imf, invitation = invite(meeting, "International Monetary Fund", "IMF")
        wco, _ = invite(meeting, "World Customs Organization", "WCO")
        token, token_hash = new_token()
        invitation.token_hash = token_hash
        delegate_token, delegate_hash = new_token()
        approved = ApprovedDelegateFactory(invitation=invitation, token_hash=delegate_hash,
                                           email="approved@imf.example.org",
                                           email_key="approved@imf.example.org")
        DelegateFactory(invitation=invitation, email="pending@imf.example.org",
                        email_key="pending@imf.example.org")
        s1 = AgendaSessionFactory(meeting=meeting, title="Session I")
        s2 = AgendaSessionFactory(meeting=meeting, title="Session II", starts_at=_utc(16, 30),
                                  ends_at=_utc(18))
        AgendaItemFactory(meeting=meeting, title="Registration", kind="break",
                          starts_at=_utc(13, 30), ends_at=_utc(14, 15), room="Visitors' Lobby")
        for n, title in enumerate("ABC"):
            AgendaItemFactory(meeting=meeting, session=s1, title=title,
                              starts_at=_utc(15, 15 * n), ends_at=_utc(15, 15 * n + 15))
        d = AgendaItemFactory(meeting=meeting, session=s2, title="D", starts_at=_utc(16, 30),
                              ends_at=_utc(17))
        SpeakerFactory(item=d, organisation=imf)
        db.session.commit()
        return {"id": meeting.id, "token": token, "delegate_token": delegate_token,
                "approved": approved.email, "wco": wco.id, "s1": s1.id, "s2": s2.id}


def _changes(version) -> set[tuple[str, str, str]]:
    return {(c["object"], c["title"], c["change"]) for c in version.changes}


def test_the_programme_is_a_draft_until_published(app, client, staff_client, agenda):
    invitation_page = client.get(f"/i/{agenda['token']}").get_data(as_text=True)
    delegate_page = client.get(f"/d/{agenda['delegate_token']}").get_data(as_text=True)
    assert "Session I" not in invitation_page and "Session I" not in delegate_page
    assert client.get(f"/i/{agenda['token']}/programme").status_code == 404
    with app.app_context():
        assert published_programme(db.session.get(Meeting, agenda["id"])) is None

    assert publish(staff_client, agenda["id"]).status_code == 302
    invitation_page = client.get(f"/i/{agenda['token']}").get_data(as_text=True)
    delegate_page = client.get(f"/d/{agenda['delegate_token']}").get_data(as_text=True)
    for page in (invitation_page, delegate_page):
        assert "Programme" in page and "Session I" in page and "08:30–09:15" in page
        assert "International Monetary Fund (IMF)" in page and "EST (America/New_York)" in page
    # Later edits stay in the draft until the next publication.
    staff_client.post(f"/meetings/{agenda['id']}/agenda/items/new",
                      data=item_form("Secret new item", "12:00", "12:30"))
    assert "Secret new item" not in client.get(f"/i/{agenda['token']}").get_data(as_text=True)


def test_publish_twice_and_get_exactly_the_changes_made_in_between(app, staff_client, agenda):
    base = f"/meetings/{agenda['id']}/agenda"
    publish(staff_client, agenda["id"])
    a, b, c, d = (item_id(app, t) for t in "ABCD")
    staff_client.post(f"{base}/items/new", data=item_form("E", "11:00", "11:15",
                                                          session_id=agenda["s1"]))
    staff_client.post(f"{base}/items/{c}/delete")
    staff_client.post(f"{base}/items/{a}/edit", data=item_form("A", "09:45", "10:00",
                                                               session_id=agenda["s1"]))
    staff_client.post(f"{base}/items/{b}/move", data={f"move-{b}-session_id": agenda["s2"],
                                                      f"move-{b}-placement": "keep"})
    registration = item_id(app, "Registration")
    staff_client.post(f"{base}/items/{registration}/edit", data=item_form(
        "Registration", "08:30", "09:15", kind="break", room="Delegates' Entrance"))
    staff_client.post(f"{base}/items/{d}/speakers", data={"speaker": f"o:{agenda['wco']}",
                                                          "role": "discussant"})
    staff_client.post(f"{base}/sessions/{agenda['s2']}/edit", data={
        "title": "Session II: Regional organisations", "starts_at": "2003-03-06T11:30",
        "ends_at": "2003-03-06T13:00", "room": "Conference Room 4", "move_items": "y"})
    assert publish(staff_client, agenda["id"]).status_code == 302

    first, second = versions_of(app, agenda["id"])
    assert (first.number, second.number) == (1, 2)
    assert _changes(second) == {
        ("item", "E", "added"), ("item", "C", "cancelled"), ("item", "A", "retimed"),
        ("item", "B", "moved"), ("item", "Registration", "room"), ("item", "D", "speakers"),
        ("session", "Session II: Regional organisations", "renamed"),
    }
    by_change = {c["change"]: c for c in second.changes}
    assert by_change["moved"]["before"] == "Session I"
    assert by_change["speakers"]["after"] == "Presenter: IMF; Discussant: WCO"
    assert by_change["room"]["after"] == "Delegates' Entrance"
    # The cancelled item stays in the published programme, marked so.
    with app.app_context():
        programme = published_programme(db.session.get(Meeting, agenda["id"]))
        cancelled = next(i for i in programme.items if i.title == "C")
        assert cancelled.cancelled and cancelled.uid_local == f"item-{c}"
        assert cancelled.sequence == 1
    # Publishing a third time with nothing new is refused.
    response = publish(staff_client, agenda["id"])
    assert response.status_code == 200
    assert "Nothing changed since version 2" in response.get_data(as_text=True) \
        or "there is nothing to publish" in response.get_data(as_text=True)
    assert len(versions_of(app, agenda["id"])) == 2


def test_notice_goes_to_approved_delegates_only_and_sends_the_signal(app, staff_client, agenda):
    seen = []

    def listener(version, notices):
        seen.extend((notice.delegate.email, notice.version.number,
                     sorted(notice.changed_item_ids), notice.message.subject)
                    for notice in notices)

    hooks.agenda_published.connect(listener)
    try:
        publish(staff_client, agenda["id"])
        a = item_id(app, "A")
        staff_client.post(f"/meetings/{agenda['id']}/agenda/items/{a}/edit", data=item_form(
            "A", "09:45", "10:00", session_id=agenda["s1"]))
        publish(staff_client, agenda["id"], note="Session I starts earlier.")
    finally:
        hooks.agenda_published.disconnect(listener)
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.category == "agenda_changes").order_by(OutboxMessage.id)).all()
        assert len(messages) == 2  # the pending delegate gets nothing
        assert all(m.to_addrs.endswith(f"<{agenda['approved']}>") for m in messages)
        assert "New time: “A” — was 06 March 2003, 10:00–10:15 EST, now 06 March 2003, " \
               "09:45–10:00 EST" in messages[1].body_text
        assert "Session I starts earlier." in messages[1].body_text
    assert seen[1] == (agenda["approved"], 2, [a], messages[1].subject)
    assert len(seen[0][2]) == 5  # the first publication: every item is new to calendars


def test_a_stale_preview_is_not_published(app, staff_client, agenda):
    response = staff_client.post(f"/meetings/{agenda['id']}/agenda/publish",
                                 data={"fingerprint": "0" * 64})
    assert "The agenda changed since you looked at the changes" in response.get_data(
        as_text=True)
    assert versions_of(app, agenda["id"]) == []


def test_printable_programme_and_pdf_for_organisations(app, client, staff_client, agenda):
    publish(staff_client, agenda["id"])
    page = client.get(f"/i/{agenda['token']}/programme")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "css/print.css" in text
    assert "Version 1, published" in text and "10:15–10:30" in text
    response = client.get(f"/i/{agenda['token']}/programme.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = pdf_text(response.data)
    for expected in ("Programme", "Session I", "08:30", "10:00", "EST", "IMF"):
        assert expected in pdf, expected
    staff_pdf = staff_client.get(f"/meetings/{agenda['id']}/agenda/print.pdf")
    assert staff_pdf.status_code == 200 and "Draft" in pdf_text(staff_pdf.data)


def test_calendar_fields_of_published_items(app, staff_client, agenda):
    publish(staff_client, agenda["id"])
    with app.app_context():
        programme = published_programme(db.session.get(Meeting, agenda["id"]))
        registration = next(i for i in programme.items if i.title == "Registration")
        stored = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Registration"))
        assert registration.uid_local == f"item-{stored.id}"
        assert (registration.sequence, registration.status) == (0, "scheduled")
        assert registration.starts_at == _utc(13, 30) and registration.room == "Visitors' Lobby"
