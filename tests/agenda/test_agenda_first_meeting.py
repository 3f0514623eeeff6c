"""Staff rebuild the First Special Meeting's programme, publish it, retime Session I,
publish again and see (and e-mail) exactly that change."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AgendaItem, AgendaSession, AuditEntry
from tests.agenda_helpers import (
    PRESENTERS,
    SESSION_I,
    first_special_meeting,
    get_item,
    invite,
    item_form,
    item_id,
    publish,
    session_form,
    session_id,
    versions,
)
from tests.factories import ApprovedDelegateFactory

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


@pytest.fixture
def meeting(app):
    """The meeting, the five presenting organisations invited, and one approved delegate."""
    with app.app_context():
        meeting = first_special_meeting()
        organisations = {}
        for name, acronym in PRESENTERS:
            organisation, invitation = invite(meeting, name, acronym)
            organisations[acronym] = organisation.id
        delegate = ApprovedDelegateFactory(
            invitation=invitation, given_name="Kunio", family_name="Mikuriya", title="Mr.",
            email="kunio.mikuriya@wco.example.org", email_key="kunio.mikuriya@wco.example.org")
        return {"id": meeting.id, "orgs": organisations, "delegate_email": delegate.email}


def build_programme(client, meeting):
    """Enter the programme of 6 March 2003 through the staff forms."""
    base = f"/meetings/{meeting['id']}/agenda"
    ok = [client.post(f"{base}/items/new", data=item_form(
        "Registration", "08:30", "09:15", kind="break",
        description="Arrive early for security screening."))]
    ok.append(client.post(f"{base}/items/new", data=item_form(
        "Introduction by the Chair of the Counter-Terrorism Committee", "09:30", "10:00")))
    ok.append(client.post(f"{base}/sessions/new", data=session_form(SESSION_I, "10:00", "11:15")))
    ok.append(client.post(f"{base}/sessions/new", data=session_form(
        "Session II: The role of regional and sub-regional organisations", "11:30", "13:00")))
    ok.append(client.post(f"{base}/items/new", data=item_form("Lunch", "13:00", "15:00",
                                                                 kind="break")))
    ok.append(client.post(f"{base}/sessions/new", data=session_form(
        "Session III: Assistance to States", "15:00", "17:00")))
    assert all(r.status_code == 302 for r in ok), [r.get_data(as_text=True)[:2000] for r in ok]
    session_i = session_id(client.application, SESSION_I)
    for n, (_name, acronym) in enumerate(PRESENTERS):
        start = f"{10 + (n * 15) // 60}:{(n * 15) % 60:02d}"
        end = f"{10 + (n * 15 + 15) // 60}:{(n * 15 + 15) % 60:02d}"
        response = client.post(f"{base}/items/new", data=item_form(
            f"Presentation by the {acronym}", start, end, session_id=session_i))
        assert response.status_code == 302, response.get_data(as_text=True)
        response = client.post(
            f"{base}/items/{item_id(client.application, f'Presentation by the {acronym}')}"
            "/speakers", data={"speaker": f"o:{meeting['orgs'][acronym]}", "role": "presenter"})
        assert response.status_code == 302, response.get_data(as_text=True)
    intro = item_id(client.application,
                    "Introduction by the Chair of the Counter-Terrorism Committee")
    client.post(f"{base}/items/{intro}/speakers",
                data={"speaker": f"o:{meeting['orgs']['CTC']}", "role": "chair"})


def test_first_special_meeting_programme_shown_in_new_york_time(app, staff_client, meeting):
    build_programme(staff_client, meeting)
    page = staff_client.get(f"/meetings/{meeting['id']}/agenda/").get_data(as_text=True)
    assert "Thursday 06 March 2003" in page and "EST (America/New_York)" in page
    for span in ("08:30–09:15", "09:30–10:00", "10:00–11:15", "10:00–10:15", "11:00–11:15",
                 "11:30–13:00", "15:00–17:00"):
        assert span in page, span
    assert "warning(s)" not in page  # a clean programme: nothing to warn about
    # Stored in UTC: 08:30 EST is 13:30 UTC.
    registration = get_item(app, "Registration")
    assert registration.starts_at == datetime(2003, 3, 6, 13, 30, tzinfo=UTC)
    assert registration.kind == "break"
    with app.app_context():
        session = db.session.scalar(select(AgendaSession).where(AgendaSession.title == SESSION_I))
        assert [i.title for i in session.items] == [f"Presentation by the {a}"
                                                    for _, a in PRESENTERS]
        assert [i.speakers[0].organisation.acronym for i in session.items] == [
            a for _, a in PRESENTERS]

    # The printable draft lists sessions, items, times and speakers with their organisations.
    printable = staff_client.get(f"/meetings/{meeting['id']}/agenda/print").get_data(as_text=True)
    assert SESSION_I in printable and "10:15–10:30" in printable
    assert "International Monetary Fund (IMF)" in printable and "Draft, not published" in printable


def notices(smtp_server) -> list:
    """The programme notices received (not the calendar e-mails about one item each)."""
    return [r for r in smtp_server.received
            if not r.message["Subject"].startswith(("Calendar", "Cancelled"))]


def test_publish_retime_session_one_publish_again(app, staff_client, meeting, smtp_server):
    build_programme(staff_client, meeting)
    response = publish(staff_client, meeting["id"])
    assert response.status_code == 302
    [first] = versions(app, meeting["id"])
    assert first.number == 1 and first.changes == []
    # Besides the notice, each item of the delegate's calendar comes in an e-mail of its own.
    [published_mail] = notices(smtp_server)
    assert published_mail.rcpt_tos == [meeting["delegate_email"]]
    text = published_mail.message.get_body(("plain",)).get_content()
    assert "Programme published" in published_mail.message["Subject"]
    assert "08:30–09:15  Registration" in text and "10:00–10:15  Presentation by the CTC" in text

    # Retime Session I by a quarter of an hour; its items move with it.
    sid = session_id(app, SESSION_I)
    response = staff_client.post(f"/meetings/{meeting['id']}/agenda/sessions/{sid}/edit",
                                 data=session_form(SESSION_I, "10:15", "11:30"))
    assert response.status_code == 302
    preview = staff_client.get(f"/meetings/{meeting['id']}/agenda/publish").get_data(as_text=True)
    assert "Changes since version 1" in preview
    assert "New time: “Session I: Global Standards on Counter-Terrorism” — was 06 March 2003, " \
           "10:00–11:15 EST, now 06 March 2003, 10:15–11:30 EST" in preview
    assert publish(staff_client, meeting["id"]).status_code == 302

    second = versions(app, meeting["id"])[-1]
    assert second.number == 2
    assert [(c["object"], c["title"], c["change"]) for c in second.changes] == [
        ("session", SESSION_I, "retimed")] + [
        ("item", f"Presentation by the {a}", "retimed") for _, a in PRESENTERS]
    assert second.changes[1]["before"] == "06 March 2003, 10:00–10:15 EST"
    assert second.changes[1]["after"] == "06 March 2003, 10:15–10:30 EST"

    # The delegate is e-mailed exactly that change.
    change_mail = notices(smtp_server)[-1]
    assert len(notices(smtp_server)) == 2
    assert change_mail.message["Subject"].startswith("Programme changed (version 2)")
    body = change_mail.message.get_body(("plain",)).get_content()
    assert body.count("- New time:") == 6
    assert "Registration" not in body and "Session II" not in body
    # Each retimed item's calendar SEQUENCE went up once; the others did not.
    with app.app_context():
        items = {i.title: i for i in db.session.scalars(select(AgendaItem))}
        assert items["Presentation by the IMF"].sequence == 1
        assert items["Registration"].sequence == 0
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "publish"))

    # The changelog page shows both versions.
    changelog = staff_client.get(f"/meetings/{meeting['id']}/agenda/versions/")
    assert "Version 2" in changelog.get_data(as_text=True)
