"""The representative registers the delegation through the invitation link: the rules."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Delegate, Invitation, OutboxMessage, utcnow
from meetingapp.registrations import services
from meetingapp.registrations.services import RegistrationError, register_delegate
from tests.factories import DelegateFactory
from tests.invitation_helpers import organisation_with_focal_point, upcoming_meeting
from tests.registration_helpers import (
    accepted_invitation,
    delegate_data,
    delegates_of,
    register,
)


@pytest.fixture
def accepted(app):
    """(invitation id, token) of an accepted invitation with 3 places."""
    with app.app_context():
        meeting = upcoming_meeting(title="Special Meeting on Borders",
                                   delegates_per_organisation=3)
        org = organisation_with_focal_point(name="League of Arab States", acronym="LAS")
        return accepted_invitation(meeting, org)


def test_registered_delegate_awaits_approval_and_is_listed_on_the_invitation_page(
        app, client, accepted):
    invitation_id, token = accepted
    form = client.get(f"/i/{token}/delegates/new")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    for label in ("Role in the delegation", "Form of address", "Given name", "Family name",
                  "Position", "E-mail address", "Phone", "Nationality", "Preferred language",
                  "Attendance", "Accessibility or other needs", "published list"):
        assert label in page
    assert form.headers["Cache-Control"] == "no-store"
    assert form.headers["Referrer-Policy"] == "no-referrer"

    response = register(client, token, role="head", title="H.E. Mr.", given_name="أحمد",
                        family_name="المنصوري", email="Ahmed.Mansouri@Example.org",
                        nationality="EG", language="ar", attendance="online",
                        needs="Wheelchair access")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is registered and awaits the secretariat" in page
    assert "H.E. Mr. أحمد المنصوري" in page and "Awaiting approval" in page
    assert "<strong>1</strong> of <strong>3</strong> places taken" in page

    [delegate] = delegates_of(app, invitation_id)
    assert (delegate.status, delegate.role, delegate.nationality) == ("pending", "head", "EG")
    assert delegate.email == "Ahmed.Mansouri@Example.org"
    assert delegate.email_key == "ahmed.mansouri@example.org"
    assert (delegate.language, delegate.attendance, delegate.needs) == (
        "ar", "online", "Wheelchair access")
    assert delegate.consent_to_publish is True and delegate.token_hash is None
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "register"))
        assert entry.actor == "representative of LAS" and entry.object_id == delegate.id
        assert db.session.scalar(select(OutboxMessage)) is None  # no e-mail until decided


def test_form_errors_are_shown_next_to_the_fields(client, accepted):
    _, token = accepted
    response = register(client, token, family_name="", email="not-an-address",
                        nationality="XX", phone="call me")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="family_name-error"' in page and 'id="email-error"' in page
    assert 'id="nationality-error"' in page and 'id="phone-error"' in page
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize("status", ["sent", "viewed", "declined"])
def test_only_an_accepted_invitation_can_register(app, client, status):
    with app.app_context():
        invitation_id, token = accepted_invitation(status=status)
    follow = client.get(f"/i/{token}/delegates/new", follow_redirects=True)
    assert "has not accepted the invitation" in follow.get_data(as_text=True)
    response = register(client, token)
    assert response.status_code == 409
    assert "has not accepted the invitation" in response.get_data(as_text=True)
    assert delegates_of(app, invitation_id) == []


def test_a_second_head_of_delegation_is_refused(app, client, accepted):
    invitation_id, token = accepted
    assert register(client, token, role="head", given_name="Amr",
                    family_name="Moussa").status_code == 302
    response = register(client, token, role="head", family_name="Second")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "already has a head of delegation (Ms. Amr Moussa)" in page
    assert "choose another role" in page
    # The same person as a delegate is fine; and changing the head's role frees the place.
    assert register(client, token, role="adviser", family_name="Second").status_code == 302
    assert [d.role for d in delegates_of(app, invitation_id)] == ["head", "adviser"]


def test_the_quota_refusal_says_why(app, client, accepted):
    invitation_id, token = accepted
    for _ in range(3):
        assert register(client, token).status_code == 302
    response = register(client, token)
    assert response.status_code == 409
    assert "Your delegation is full: all 3 places are taken" in response.get_data(as_text=True)
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "All places are taken" in page and "Register a delegate</a>" not in page
    assert len(delegates_of(app, invitation_id)) == 3


def test_quota_override_of_the_invitation_counts(app, client):
    with app.app_context():
        invitation_id, token = accepted_invitation(upcoming_meeting(delegates_per_organisation=5),
                                                   quota_override=1)
    assert register(client, token).status_code == 302
    assert "all 1 places are taken" in register(client, token).get_data(as_text=True)


def test_one_registration_per_email_per_meeting_whatever_its_case(app, client):
    with app.app_context():
        meeting = upcoming_meeting()
        a_id, a_token = accepted_invitation(meeting, organisation_with_focal_point(name="Org A"))
        _, b_token = accepted_invitation(meeting, organisation_with_focal_point(name="Org B"))
        _, other_meeting_token = accepted_invitation()
    assert register(client, a_token, email="Same.Person@example.org",
                    family_name="Person").status_code == 302
    own = register(client, a_token, email="same.person@EXAMPLE.org")
    assert own.status_code == 409
    assert "already used by Ms. Anna" in own.get_data(as_text=True) or \
        "in your delegation" in own.get_data(as_text=True)
    other = register(client, b_token, email="SAME.PERSON@example.org")
    assert other.status_code == 409
    text = other.get_data(as_text=True)
    assert "already registered for this meeting, by another organisation" in text
    assert "Org A" not in text  # another organisation's delegation is not revealed
    # Another meeting is another registration.
    assert register(client, other_meeting_token,
                    email="same.person@example.org").status_code == 302
    assert len(delegates_of(app, a_id)) == 1


def test_the_schema_refuses_a_duplicate_address_and_a_second_head(app):
    with app.app_context():
        first = DelegateFactory(role="head", email="x@example.org")
        invitation = db.session.get(Invitation, first.invitation_id)
        for fields in ({"email": "X@example.org", "email_key": "x@example.org"},
                       {"role": "head"}):
            with pytest.raises(IntegrityError):
                DelegateFactory(invitation=invitation, **fields)
            db.session.rollback()
        # A withdrawn registration frees the address; a rejected head frees the role.
        first.status = "withdrawn"
        db.session.commit()
        DelegateFactory(invitation=invitation, email="x@example.org", role="head",
                        status="rejected")
        DelegateFactory(invitation=invitation, role="head")


def test_a_constraint_broken_by_a_parallel_request_becomes_the_same_message(
        app, accepted, monkeypatch):
    invitation_id, _ = accepted
    with app.test_request_context():
        invitation = db.session.get(Invitation, invitation_id)
        register_delegate(invitation, delegate_data(role="head"), actor="test")
        # As if the other head were inserted between the check and the insert.
        monkeypatch.setattr(services, "_check_head", lambda *args, **kwargs: None)
        with pytest.raises(RegistrationError, match="already has a head of delegation"):
            register_delegate(invitation, delegate_data(role="head"), actor="test")
        # Only the savepoint was undone: the first registration is still there to commit.
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(Delegate)) == 1


def test_change_of_name_or_role_after_approval_needs_approval_again(app, client, accepted):
    invitation_id, token = accepted
    register(client, token, family_name="Kotaite", position="President")
    [delegate] = delegates_of(app, invitation_id)
    with app.app_context():
        db.session.get(Delegate, delegate.id).status = "approved"
        db.session.commit()
    data = {k: getattr(delegate, k) for k in ("role", "title", "given_name", "family_name",
                                              "email", "phone", "nationality", "language",
                                              "attendance", "needs")}
    data.update(position="President of the Council", consent_to_publish="y")
    edit = f"/i/{token}/delegates/{delegate.id}/edit"
    page = client.post(edit, data=data, follow_redirects=True).get_data(as_text=True)
    assert "is saved" in page
    assert delegates_of(app, invitation_id)[0].status == "approved"
    data.update(family_name="Kotaité")
    page = client.post(edit, data=data, follow_redirects=True).get_data(as_text=True)
    assert "approval again" in page and "name, role or e-mail address" in page
    changed = delegates_of(app, invitation_id)[0]
    assert (changed.status, changed.family_name) == ("pending", "Kotaité")
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "update").order_by(AuditEntry.id.desc())).first()
        assert entry.changes["status"] == ["approved", "pending"]
        assert entry.changes["family_name"] == ["Kotaite", "Kotaité"]


def test_withdrawal_frees_the_place_and_the_address_and_tells_the_delegate(
        app, client, accepted):
    invitation_id, token = accepted
    for _ in range(3):
        register(client, token)
    first = delegates_of(app, invitation_id)[0]
    confirm = client.get(f"/i/{token}/delegates/{first.id}/withdraw")
    assert "will no longer be registered" in confirm.get_data(as_text=True)
    page = client.post(f"/i/{token}/delegates/{first.id}/withdraw",
                       follow_redirects=True).get_data(as_text=True)
    assert "is withdrawn from the delegation" in page
    assert delegates_of(app, invitation_id)[0].status == "withdrawn"
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.category == "registration_withdrawn"))
        assert first.email in message.to_addrs and "focal." in message.cc_addrs
    # The place and the address are free again.
    assert register(client, token, email=first.email).status_code == 302
    assert [d.status for d in delegates_of(app, invitation_id)] == [
        "withdrawn", "pending", "pending", "pending"]


def test_after_the_deadline_the_delegation_is_read_only(app, client, accepted):
    invitation_id, token = accepted
    register(client, token, family_name="Before")
    [delegate] = delegates_of(app, invitation_id)
    with app.app_context():
        meeting = db.session.get(Invitation, invitation_id).meeting
        meeting.registration_opens_at = utcnow() - timedelta(days=2)
        meeting.registration_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "Registration closed on" in page and "America/New_York" in page
    assert "Change<" not in page and "Withdraw<" not in page and "Register a delegate" not in page
    assert "Ms. Anna" in page and "Before" in page  # still readable

    edit = f"/i/{token}/delegates/{delegate.id}/edit"
    assert "Registration closed on" in client.get(edit, follow_redirects=True).get_data(
        as_text=True)
    data = delegate_data(family_name="After", email=delegate.email)
    response = client.post(edit, data=data)
    assert response.status_code == 409
    assert "can no longer be changed here" in response.get_data(as_text=True)
    assert register(client, token).status_code == 409
    withdrawn = client.post(f"/i/{token}/delegates/{delegate.id}/withdraw", follow_redirects=True)
    assert "can no longer be changed here" in withdrawn.get_data(as_text=True)
    assert [(d.family_name, d.status) for d in delegates_of(app, invitation_id)] == [
        ("Before", "pending")]


def test_a_meeting_closed_by_the_secretariat_takes_no_registration(app, client, accepted):
    invitation_id, token = accepted
    with app.app_context():
        db.session.get(Invitation, invitation_id).meeting.status = "closed"
        db.session.commit()
    response = register(client, token)
    assert response.status_code == 409
    assert "The secretariat has closed registration" in response.get_data(as_text=True)


def test_another_organisations_delegate_is_not_found_through_this_link(app, client):
    with app.app_context():
        meeting = upcoming_meeting()
        a_id, a_token = accepted_invitation(meeting, organisation_with_focal_point(name="Org A"))
        b_id, b_token = accepted_invitation(meeting, organisation_with_focal_point(name="Org B"))
    register(client, b_token, family_name="OfB")
    [b_delegate] = delegates_of(app, b_id)
    for url in (f"/i/{a_token}/delegates/{b_delegate.id}/edit",
                f"/i/{a_token}/delegates/{b_delegate.id}/withdraw"):
        assert client.get(url).status_code == 404
        assert client.post(url, data=delegate_data(family_name="Hijacked")).status_code == 404
    # Fields naming an invitation are ignored: the token decides.
    register(client, a_token, invitation_id=b_id, meeting_id=999)
    assert len(delegates_of(app, a_id)) == 1
    [unchanged] = delegates_of(app, b_id)
    assert (unchanged.family_name, unchanged.status) == ("OfB", "pending")
    assert "OfB" not in client.get(f"/i/{a_token}").get_data(as_text=True)


def test_a_revoked_invitation_link_registers_nobody(app, client, accepted):
    invitation_id, token = accepted
    with app.app_context():
        db.session.get(Invitation, invitation_id).status = "revoked"
        db.session.commit()
    assert register(client, token).status_code == 410
    assert delegates_of(app, invitation_id) == []


def test_address_the_outbox_cannot_send_to_is_refused_on_the_form():
    """A non-ASCII local part (SMTPUTF8) passes e-mail syntax checks but cannot be sent."""
    from meetingapp.formtools import email_address

    class Field:
        data = "josé@example.org"
        errors: list = []

    import pytest
    from wtforms.validators import ValidationError

    with pytest.raises(ValidationError, match="Latin letters before the @"):
        email_address()(None, Field())
