"""The representative's personal link: view, accept, decline, and every bad link."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Invitation, utcnow
from meetingapp.portal.services import LinkUnknown, find_invitation
from meetingapp.tokens import new_token
from tests.factories import MeetingFactory
from tests.invitation_helpers import (
    invitation_with_token,
    organisation_with_focal_point,
    upcoming_meeting,
)


def _invitation(app, invitation_id):
    with app.app_context():
        return db.session.get(Invitation, invitation_id)


@pytest.fixture
def invited(app):
    """(invitation id, token) of a sent invitation to an upcoming meeting."""
    with app.app_context():
        meeting = upcoming_meeting(title="Special Meeting on Borders",
                                   delegates_per_organisation=4)
        org = organisation_with_focal_point(name="League of Arab States", acronym="LAS")
        return invitation_with_token(meeting, org)


def test_link_shows_the_meeting_in_its_zone_and_marks_viewed(app, client, invited):
    invitation_id, token = invited
    response = client.get(f"/i/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "League of Arab States" in page and "Special Meeting on Borders" in page
    assert "America/New_York" in page and "Delegates allowed" in page and ">4<" in page
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    invitation = _invitation(app, invitation_id)
    assert invitation.status == "viewed" and invitation.viewed_at is not None


def test_accept_then_change_mind_to_decline_with_reason(app, client, invited):
    invitation_id, token = invited
    page = client.post(f"/i/{token}/respond/accept", follow_redirects=True
                       ).get_data(as_text=True)
    assert "acceptance is recorded" in page and "Accepted" in page
    assert "You can change your answer until the deadline" in page
    page = client.post(f"/i/{token}/respond/decline", data={"reason": "Budget «cuts» ‏مؤتمر"},
                       follow_redirects=True).get_data(as_text=True)
    assert "will not attend" in page and "Budget «cuts» ‏مؤتمر" in page
    invitation = _invitation(app, invitation_id)
    assert invitation.status == "declined" and invitation.decline_reason.startswith("Budget")
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "invitations").order_by(AuditEntry.id)).all()
        actor = db.session.scalar(select(AuditEntry.actor).where(AuditEntry.action == "accept"))
    assert actions == ["accept", "decline"]
    assert actor == "representative of LAS"


def test_double_submitted_accept_records_one_answer(app, client, invited):
    invitation_id, token = invited
    client.post(f"/i/{token}/respond/accept")
    again = client.post(f"/i/{token}/respond/accept", follow_redirects=True)
    assert "already recorded; nothing changed" in again.get_data(as_text=True)
    with app.app_context():
        accepts = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "accept")).all()
    assert len(accepts) == 1


def test_decline_reason_too_long_is_refused(app, client, invited):
    _, token = invited
    response = client.post(f"/i/{token}/respond/decline", data={"reason": "x" * 2001})
    assert response.status_code == 400
    assert "Field cannot be longer than 2000 characters." in response.get_data(as_text=True)
    assert _invitation(app, invited[0]).decline_reason == ""


@pytest.mark.parametrize("token", ["nope", "A" * 43, "x" * 500, "%00", "<script>x"])
def test_unknown_or_malformed_link_gets_a_clear_404_with_contact(client, token):
    response = client.get(f"/i/{token}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This link is not valid" in page and "secretariat@example.org" in page


def test_revoked_link_gets_410(app, client):
    with app.app_context():
        _, token = invitation_with_token(status="revoked")
    response = client.get(f"/i/{token}")
    assert response.status_code == 410 and "withdrawn" in response.get_data(as_text=True)
    assert client.post(f"/i/{token}/respond/accept").status_code == 410


def test_expired_link_gets_410_unless_already_accepted(app, client):
    with app.app_context():
        past = MeetingFactory()  # the deadline was in 2003
        _, sent_token = invitation_with_token(past)
        _, accepted_token = invitation_with_token(past, status="accepted")
    response = client.get(f"/i/{sent_token}")
    assert response.status_code == 410 and "deadline" in response.get_data(as_text=True)
    # An organisation that accepted can still read its page, but not change its answer.
    page = client.get(f"/i/{accepted_token}").get_data(as_text=True)
    assert "The deadline has passed" in page and "Decline the invitation" not in page
    refused = client.post(f"/i/{accepted_token}/respond/decline", follow_redirects=True)
    assert "deadline for answering has passed" in refused.get_data(as_text=True)


def test_deadline_reached_between_view_and_answer(app, client, invited):
    invitation_id, token = invited
    with app.app_context():
        meeting = db.session.get(Invitation, invitation_id).meeting
        meeting.registration_closes_at = utcnow() - timedelta(minutes=1)
        meeting.registration_opens_at = utcnow() - timedelta(days=1)
        db.session.commit()
    assert client.post(f"/i/{token}/respond/accept").status_code == 410
    assert _invitation(app, invitation_id).status == "sent"


def test_cancelled_meeting_link_gets_410(app, client, invited):
    invitation_id, token = invited
    with app.app_context():
        db.session.get(Invitation, invitation_id).meeting.status = "cancelled"
        db.session.commit()
    assert client.get(f"/i/{token}").status_code == 410


def test_a_token_reaches_only_its_own_invitation(app, client):
    with app.app_context():
        meeting = upcoming_meeting()
        a_id, a_token = invitation_with_token(meeting, organisation_with_focal_point(name="Org A"))
        b_id, _ = invitation_with_token(meeting, organisation_with_focal_point(name="Org B"))
    page = client.get(f"/i/{a_token}").get_data(as_text=True)
    assert "Org A" in page and "Org B" not in page
    # Nothing in a form or URL names an invitation: extra fields are ignored.
    client.post(f"/i/{a_token}/respond/decline", data={"invitation_id": b_id, "id": b_id})
    assert _invitation(app, a_id).status == "declined"
    assert _invitation(app, b_id).status == "sent"


def test_token_lookup_is_one_query_by_hash_whatever_the_token(app):
    with app.app_context():
        _, token = invitation_with_token()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            for candidate in (new_token()[0], "short", token[:-1] + "x"):
                with pytest.raises(LinkUnknown):
                    find_invitation(candidate)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 3
    assert all("invitations.token_hash = " in s for s in statements)


def test_only_the_hash_of_the_token_is_stored(app, invited):
    invitation_id, token = invited
    invitation = _invitation(app, invitation_id)
    assert token not in (invitation.token_hash or "")
    assert len(invitation.token_hash) == 64
    assert len(token) >= 22  # at least 128 bits of randomness, URL-safe


def test_hostile_names_are_escaped_on_the_portal(app, client):
    with app.app_context():
        meeting = upcoming_meeting(title="<script>alert('m')</script>")
        org = organisation_with_focal_point(name="<img src=x onerror=alert(1)>")
        _, token = invitation_with_token(meeting, org)
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "<script>alert('m')</script>" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True,
                                               "PORTAL_FAILED_LINK_LIMIT": "3 per minute"}])
def test_link_pages_are_rate_limited(client, config_overrides):
    codes = [client.get(f"/i/{new_token()[0]}").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]




def test_declining_with_registered_delegates_is_refused_until_they_are_withdrawn(app, client,
                                                                                 invited):
    from meetingapp.models import Delegate
    from tests.factories import DelegateFactory

    invitation_id, token = invited
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        invitation.status = "accepted"
        db.session.commit()
        delegate_id = DelegateFactory(invitation=invitation).id
    page = client.post(f"/i/{token}/respond/decline", data={"reason": "Changed plans"},
                       follow_redirects=True).get_data(as_text=True)
    assert "still has 1 registered delegate(s)" in page
    assert _invitation(app, invitation_id).status == "accepted"
    with app.app_context():
        db.session.get(Delegate, delegate_id).status = "withdrawn"
        db.session.commit()
    client.post(f"/i/{token}/respond/decline", data={"reason": "Changed plans"})
    assert _invitation(app, invitation_id).status == "declined"
