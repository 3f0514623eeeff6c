"""The check-in desk: one clear answer per scan, with and without JavaScript, every
attempt logged, only the desk for check-in operators, undo by staff with a reason."""

import re

import pytest
from sqlalchemy import select

from meetingapp.badges.codes import code_row, current_code, format_code
from meetingapp.extensions import db
from meetingapp.models import AuditEntry, CheckIn, CheckinAttempt, Delegate, Invitation
from tests.factories import (
    ApprovedDelegateFactory,
    DelegateFactory,
    InvitationFactory,
    MeetingFactory,
    OrganisationFactory,
    UpcomingMeetingFactory,
)


@pytest.fixture
def desk(app):
    """A meeting with an approved head of delegation; returns (meeting id, delegate id, code)."""
    with app.app_context():
        org = OrganisationFactory(name="International Civil Aviation Organization",
                                  acronym="ICAO", kind="international")
        delegate = ApprovedDelegateFactory(
            invitation=InvitationFactory(organisation=org, status="accepted"), role="head",
            title="Mr.", given_name="Assad", family_name="Kotaite")
        return delegate.meeting_id, delegate.id, current_code(code_row(delegate))


def scan_json(client, meeting_id, code, **data):
    response = client.post(f"/checkin/{meeting_id}/scan", data={"code": code, **data},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def test_without_javascript_a_scan_posts_and_redirects_to_the_answer(app, desk,
                                                                     checkin_client):
    meeting_id, _, code = desk
    response = checkin_client.post(f"/checkin/{meeting_id}/scan", data={"code": code})
    assert response.status_code == 302 and "attempt=" in response.location
    page = checkin_client.get(response.location).get_data(as_text=True)
    status = re.search(r'id="answer-status"[^>]*>(.*?)</div>\s*<div id="answer-alert"', page,
                       re.S).group(1)
    assert 'role="status"' in page and "Checked in" in status and "✓" in status
    assert "Mr. Assad Kotaite" in status and "ICAO" in status and "Head of delegation" in status
    assert "text-bg-success" in status
    response = checkin_client.post(f"/checkin/{meeting_id}/scan", data={"code": code},
                                   follow_redirects=True)
    page = response.get_data(as_text=True)
    alert = page.split('id="answer-alert"', 1)[1]
    assert 'role="alert"' in alert[:40] and "Already checked in" in alert
    assert "checkin@example.org" in alert and "America/New_York" in alert
    assert 'autofocus' in page  # the scanner types into the field at once


def test_with_javascript_the_answer_and_counters_come_as_json(desk, checkin_client):
    meeting_id, _, code = desk
    body = scan_json(checkin_client, meeting_id, format_code(code).lower())
    assert body["answer"]["result"] == "checked_in" and body["answer"]["alert"] is False
    assert body["answer"]["is_head"] is True and body["answer"]["name"] == "Mr. Assad Kotaite"
    # The desk fetches the counters after each answer (static/js/checkin.js): the scan's
    # answer does not wait for the meeting-wide counts.
    assert "counters" not in body
    counters = checkin_client.get(f"/checkin/{meeting_id}/counters.json").get_json()
    assert counters["checked_in"] == 1 and counters["expected"] == 1
    assert counters["kinds"] == [{"kind": "international", "label": "International",
                                  "expected": 1, "checked_in": 1}]
    again = scan_json(checkin_client, meeting_id, code)["answer"]
    assert again["result"] == "already_checked_in" and again["alert"] is True
    assert again["tone"] == "warning" and again["icon"] == "!"
    response = checkin_client.post(f"/checkin/{meeting_id}/scan", data={"code": ""},
                                   headers={"Accept": "application/json"})
    assert response.status_code == 400 and "Scan or type" in response.get_json()["error"]


def test_each_wrong_badge_gets_its_own_answer(app, desk, checkin_client):
    meeting_id, delegate_id, code = desk
    with app.app_context():
        invitation = db.session.get(Delegate, delegate_id).invitation
        pending = DelegateFactory(invitation=invitation, status="pending")
        withdrawn = ApprovedDelegateFactory(invitation=invitation, role="delegate")
        withdrawn_code = current_code(code_row(withdrawn))
        withdrawn.status = "withdrawn"
        other = ApprovedDelegateFactory(invitation=InvitationFactory(
            meeting=UpcomingMeetingFactory(title="Special Meeting in Vienna"), status="accepted"))
        revoked = ApprovedDelegateFactory(invitation=InvitationFactory(
            meeting=invitation.meeting, status="accepted"))
        revoked_code = current_code(code_row(revoked))
        db.session.get(Invitation, revoked.invitation_id).status = "revoked"
        db.session.commit()
        pending_had_code = code_row(pending) is not None
        other_code = current_code(code_row(other))
    assert not pending_had_code  # no badge before approval
    expected = {
        "ABCDEFGHJKMNPQRSTVWX": ("unknown_code", "Unknown code"),
        withdrawn_code: ("withdrawn", "Withdrawn"),
        revoked_code: ("not_approved", "Not approved"),
        other_code: ("other_meeting", "Badge of another meeting"),
    }
    for scanned, (result, heading) in expected.items():
        answer = scan_json(checkin_client, meeting_id, scanned)["answer"]
        assert (answer["result"], answer["heading"], answer["tone"]) == (result, heading,
                                                                         "danger")
        assert answer["icon"] == "✗"
    assert "Special Meeting in Vienna" in scan_json(checkin_client, meeting_id,
                                                    other_code)["answer"]["detail"]
    with app.app_context():
        assert db.session.scalars(select(CheckIn)).all() == []
        assert scan_json(checkin_client, meeting_id, code)["answer"]["result"] == "checked_in"


def test_every_attempt_is_logged_with_desk_user_and_device(app, desk, checkin_client,
                                                           staff_client):
    meeting_id, delegate_id, code = desk
    response = checkin_client.post(f"/checkin/{meeting_id}/device",
                                   data={"device": "North entrance 2"})
    assert response.status_code == 302
    assert "checkin_device=" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "North entrance 2" in checkin_client.get(f"/checkin/{meeting_id}").get_data(
        as_text=True)
    scan_json(checkin_client, meeting_id, code, method="camera")
    scan_json(checkin_client, meeting_id, code)
    scan_json(checkin_client, meeting_id, "NOT-A-CODE")
    with app.app_context():
        attempts = db.session.scalars(select(CheckinAttempt).order_by(CheckinAttempt.id)).all()
        assert [(a.result, a.method, a.device, a.actor, a.delegate_id) for a in attempts] == [
            ("checked_in", "camera", "North entrance 2", "checkin@example.org", delegate_id),
            ("already_checked_in", "scanner", "North entrance 2", "checkin@example.org",
             delegate_id),
            ("unknown_code", "scanner", "North entrance 2", "checkin@example.org", None)]
        assert all(a.at is not None and a.user_id is not None for a in attempts)
        checkin = db.session.scalars(select(CheckIn)).one()
        assert (checkin.device, checkin.method) == ("North entrance 2", "camera")
    log = staff_client.get(f"/checkin/{meeting_id}/log").get_data(as_text=True)
    assert "Already checked in" in log and "Unknown code" in log and "North entrance 2" in log
    assert checkin_client.get(f"/checkin/{meeting_id}/log").status_code == 403


def test_staff_undo_a_check_in_with_a_reason(app, desk, checkin_client, staff_client):
    meeting_id, _, code = desk
    scan_json(checkin_client, meeting_id, code)
    with app.app_context():
        checkin_id = db.session.scalars(select(CheckIn.id)).one()
    url = f"/checkin/{meeting_id}/checkins/{checkin_id}/undo"
    assert checkin_client.post(url, data={"reason": "mistake"}).status_code == 403
    response = staff_client.post(url, data={"reason": ""})
    assert response.status_code == 400 and "Give the reason." in response.get_data(as_text=True)
    response = staff_client.post(url, data={"reason": "Scanned the wrong badge"})
    assert response.status_code == 302
    with app.app_context():
        checkin = db.session.get(CheckIn, checkin_id)
        assert checkin.undone_at and checkin.undo_reason == "Scanned the wrong badge"
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "undo_checkin")).one()
        assert entry.actor == "staff@example.org" and entry.meeting_id == meeting_id
    assert scan_json(checkin_client, meeting_id, code)["answer"]["result"] == "checked_in"
    with app.app_context():
        assert len(db.session.scalars(select(CheckIn)).all()) == 2  # the undone one is kept


def test_search_by_name_checks_in_people_without_their_badge(app, desk, checkin_client):
    meeting_id, delegate_id, _ = desk
    page = checkin_client.get(f"/checkin/{meeting_id}?q=kotaite").get_data(as_text=True)
    assert "Mr. Assad Kotaite" in page and "badge 00001" in page
    response = checkin_client.post(f"/checkin/{meeting_id}/delegates/{delegate_id}",
                                   headers={"Accept": "application/json"})
    assert response.get_json()["answer"]["result"] == "checked_in"
    with app.app_context():
        assert db.session.scalars(select(CheckIn)).one().method == "search"
    page = checkin_client.get(f"/checkin/{meeting_id}?q=icao").get_data(as_text=True)
    assert "· <strong>checked in " in page  # the person found is marked, not the help text
    assert "Nobody registered" in checkin_client.get(
        f"/checkin/{meeting_id}?q=nobody").get_data(as_text=True)


def test_check_in_operators_reach_the_desk_and_nothing_else(app, desk, checkin_client):
    meeting_id, delegate_id, _ = desk
    home = checkin_client.get("/desk")
    assert home.status_code == 200
    assert f'href="/checkin/{meeting_id}"' in home.get_data(as_text=True)
    assert checkin_client.get("/login").location.endswith("/desk")
    assert checkin_client.get(f"/checkin/{meeting_id}").status_code == 200
    for url in (f"/meetings/{meeting_id}/registrations/", f"/meetings/{meeting_id}",
                "/organisations/", "/users/", f"/meetings/{meeting_id}/badges/",
                f"/checkin/{meeting_id}/attendance", "/audit/"):
        assert checkin_client.get(url).status_code == 403, url


def test_the_desk_needs_a_signed_in_user_and_an_open_meeting(app, client, checkin_client):
    with app.app_context():
        draft, held = MeetingFactory(status="draft").id, MeetingFactory(status="held").id
    assert client.get(f"/checkin/{held}").status_code == 302  # to the sign-in page
    assert client.post(f"/checkin/{held}/scan", data={"code": "X"}).status_code == 302
    assert checkin_client.get(f"/checkin/{draft}").status_code == 404
    assert checkin_client.get(f"/checkin/{held}").status_code == 200


def test_the_desk_page_has_no_inline_script_and_a_labelled_scan_field(desk, checkin_client):
    meeting_id, _, _ = desk
    page = checkin_client.get(f"/checkin/{meeting_id}").get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert ' style="' not in page
    assert '<label class="form-label" for="code">Badge code</label>' in page
    assert 'src="/static/js/checkin.js"' in page and "vendor/jsqr/jsQR.js" in page
    counters = checkin_client.get(f"/checkin/{meeting_id}/counters.json").get_json()
    assert counters["expected"] == 1 and counters["checked_in"] == 0
