"""Topics proposed and requests for the floor on the invitation link, until the deadline
staff set; accepted into the agenda or declined with a reason, told by e-mail."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AgendaItem, AuditEntry, Meeting, Proposal, Speaker
from meetingapp.timezones import utc_to_wall_clock
from tests.agenda_helpers import publish
from tests.factories import AgendaItemFactory, AgendaSessionFactory
from tests.invitation_helpers import (
    invitation_with_token,
    organisation_with_focal_point,
    upcoming_meeting,
)

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


@pytest.fixture
def setting(app):
    """An upcoming meeting with a session and an item; two organisations that accepted and
    one that has not answered, each with its link."""
    with app.app_context():
        meeting = upcoming_meeting()
        start = meeting.starts_at
        session = AgendaSessionFactory(meeting=meeting, title="Session II: Regional bodies",
                                       starts_at=start, ends_at=start + timedelta(hours=2))
        AgendaItemFactory(meeting=meeting, session=session, title="Regional mechanisms",
                          starts_at=start, ends_at=start + timedelta(minutes=30))
        osce = organisation_with_focal_point(name="Organization for Security and Co-operation "
                                                  "in Europe", acronym="OSCE")
        au = organisation_with_focal_point(name="African Union", acronym="AU")
        oas = organisation_with_focal_point(name="Organization of American States",
                                            acronym="OAS")
        osce_inv, osce_token = invitation_with_token(meeting, osce, status="accepted",
                                                     cc="deputy@osce.example.org")
        _, au_token = invitation_with_token(meeting, au, status="accepted")
        _, oas_token = invitation_with_token(meeting, oas, status="sent")
        day = utc_to_wall_clock(start, meeting.timezone)
        return {"id": meeting.id, "session": session.id, "osce": osce_token, "au": au_token,
                "oas": oas_token, "osce_email": f"focal.{osce.id}@example.org",
                "wall": day, "osce_org": osce.id}


def _open_proposals(staff_client, setting, days: int = 10):
    deadline = (setting["wall"] - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
    response = staff_client.post(f"/meetings/{setting['id']}/agenda/proposals/",
                                 data={"proposals_close_at": deadline})
    assert response.status_code == 302
    assert publish(staff_client, setting["id"]).status_code == 302


def _propose(client, token, **fields):
    data = {"title": "Regional counter-terrorism mechanisms: the OSCE experience",
            "summary": "Our *Action against Terrorism Unit* would present.",
            "preferred_session_id": "", "delegate_id": ""}
    data.update(fields)
    return client.post(f"/i/{token}/proposals/topic", data=data)


def _only_proposal(app) -> Proposal:
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        db.session.expunge(proposal)
        return proposal


def test_proposals_wait_for_the_deadline_staff_set(client, staff_client, setting):
    page = client.get(f"/i/{setting['osce']}").get_data(as_text=True)
    assert "has not opened the agenda for proposals" in page
    assert _propose(client, setting["osce"]).status_code == 409
    _open_proposals(staff_client, setting)
    page = client.get(f"/i/{setting['osce']}").get_data(as_text=True)
    assert "Propose a topic" in page and "Ask for the floor" in page
    # An organisation that has not accepted the invitation cannot propose.
    assert "Once your organisation has accepted the invitation" in client.get(
        f"/i/{setting['oas']}").get_data(as_text=True)
    assert _propose(client, setting["oas"]).status_code == 409


def test_after_the_deadline_proposals_are_refused(app, client, staff_client, setting):
    _open_proposals(staff_client, setting)
    with app.app_context():
        from meetingapp.models import AgendaSettings, utcnow

        settings = db.session.scalar(select(AgendaSettings))
        settings.proposals_close_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = _propose(client, setting["osce"])
    assert response.status_code == 409 and "The deadline for proposals has passed" in \
        response.get_data(as_text=True)


def test_a_proposal_accepted_becomes_an_agenda_item(app, client, staff_client, setting,
                                                    smtp_server):
    _open_proposals(staff_client, setting)
    response = _propose(client, setting["osce"], preferred_session_id=setting["session"])
    assert response.status_code == 302
    proposal = _only_proposal(app)
    assert (proposal.status, proposal.preferred_session_id) == ("pending", setting["session"])
    listing = staff_client.get(f"/meetings/{setting['id']}/agenda/proposals/")
    assert "the OSCE experience" in listing.get_data(as_text=True)

    start = (setting["wall"] + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    end = (setting["wall"] + timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M")
    response = staff_client.post(
        f"/meetings/{setting['id']}/agenda/proposals/{proposal.id}/accept",
        data={"item_id": "", "session_id": setting["session"], "starts_at": start,
              "ends_at": end, "room": "", "role": "presenter"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(
            AgendaItem.title == "Regional counter-terrorism mechanisms: the OSCE experience"))
        assert item.session_id == setting["session"]
        assert item.description == "Our *Action against Terrorism Unit* would present."
        assert [(s.organisation.acronym, s.role) for s in item.speakers] == [("OSCE",
                                                                              "presenter")]
        stored = db.session.get(Proposal, proposal.id)
        assert (stored.status, stored.item_id) == ("accepted", item.id)
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "accept"))

    [mail] = smtp_server.received
    assert setting["osce_email"] in mail.rcpt_tos and "deputy@osce.example.org" in mail.rcpt_tos
    assert mail.message["Subject"].startswith("Your proposal was accepted")
    assert "the OSCE experience" in mail.message.get_body(("plain",)).get_content()
    page = client.get(f"/i/{setting['osce']}").get_data(as_text=True)
    assert "Accepted" in page and "On “Regional counter-terrorism mechanisms" in page
    # Once published, the programme on the link shows it with the organisation.
    publish(staff_client, setting["id"])
    page = client.get(f"/i/{setting['au']}").get_data(as_text=True)
    assert "the OSCE experience" in page and "(OSCE)" in page


def test_a_proposal_declined_with_a_reason(app, client, staff_client, setting, smtp_server):
    _open_proposals(staff_client, setting)
    _propose(client, setting["osce"])
    proposal = _only_proposal(app)
    url = f"/meetings/{setting['id']}/agenda/proposals/{proposal.id}/decline"
    response = staff_client.post(url, data={"reason": ""})
    assert response.status_code == 422 and "Give the reason for declining" in \
        response.get_data(as_text=True)
    assert smtp_server.received == []
    staff_client.post(url, data={"reason": "The programme of Session II is full."})
    [mail] = smtp_server.received
    assert mail.message["Subject"].startswith("Your proposal was declined")
    assert "The programme of Session II is full." in mail.message.get_body(
        ("plain",)).get_content()
    page = client.get(f"/i/{setting['osce']}/proposals/{proposal.id}").get_data(as_text=True)
    assert "Declined" in page and "The programme of Session II is full." in page
    # Declined is final: it cannot be accepted afterwards.
    response = staff_client.post(
        f"/meetings/{setting['id']}/agenda/proposals/{proposal.id}/accept",
        data={"item_id": item_of(app, "Regional mechanisms"), "role": "discussant"})
    assert "already declined" in response.get_data(as_text=True)


def item_of(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(AgendaItem.id).where(AgendaItem.title == title))


def test_a_request_for_the_floor_becomes_a_speaker_entry(app, client, staff_client, setting,
                                                        smtp_server):
    _open_proposals(staff_client, setting)
    item = item_of(app, "Regional mechanisms")
    form = client.get(f"/i/{setting['au']}/proposals/floor").get_data(as_text=True)
    assert "Regional mechanisms" in form
    response = client.post(f"/i/{setting['au']}/proposals/floor",
                           data={"item_id": item, "summary": "The AU's Algiers centre.",
                                 "delegate_id": ""})
    assert response.status_code == 302
    proposal = _only_proposal(app)
    assert (proposal.kind, proposal.item_id) == ("speak", item)
    page = staff_client.get(f"/meetings/{setting['id']}/agenda/proposals/{proposal.id}")
    assert f'<option selected value="{item}">' in page.get_data(as_text=True)
    staff_client.post(f"/meetings/{setting['id']}/agenda/proposals/{proposal.id}/accept",
                      data={"item_id": item, "role": "discussant"})
    with app.app_context():
        speaker = db.session.scalar(select(Speaker))
        assert (speaker.item_id, speaker.role, speaker.organisation.acronym) == (
            item, "discussant", "AU")
    [mail] = smtp_server.received
    assert mail.message["Subject"] == "Your request for the floor was accepted: " \
                                      "Regional mechanisms"


def test_another_organisations_link_cannot_see_or_withdraw_a_proposal(app, client,
                                                                      staff_client, setting):
    _open_proposals(staff_client, setting)
    _propose(client, setting["osce"])
    proposal = _only_proposal(app)
    assert client.get(f"/i/{setting['au']}/proposals/{proposal.id}").status_code == 404
    assert client.post(f"/i/{setting['au']}/proposals/{proposal.id}/withdraw").status_code == 404
    assert "the OSCE experience" not in client.get(f"/i/{setting['au']}").get_data(as_text=True)
    assert _only_proposal(app).status == "pending"
    # Its own link can.
    assert client.get(f"/i/{setting['osce']}/proposals/{proposal.id}").status_code == 200
    client.post(f"/i/{setting['osce']}/proposals/{proposal.id}/withdraw")
    assert _only_proposal(app).status == "withdrawn"
    # Staff reach proposals only through their own meeting.
    with app.app_context():
        other = upcoming_meeting()
        other_id = other.id
    assert staff_client.get(
        f"/meetings/{other_id}/agenda/proposals/{proposal.id}").status_code == 404
    with app.app_context():
        assert db.session.get(Meeting, other_id) is not None
