"""The extension points: each signal is sent when what it names happens, through the pages
a user would use, and the features listening to it do their part (a new listener needs no
change to the feature that sends)."""

import pytest
from sqlalchemy import select

from meetingapp import hooks
from meetingapp.badges.codes import code_row, current_code
from meetingapp.checkin.services import check_in_code
from meetingapp.extensions import db
from meetingapp.meetings.services import change_status, details_of, update_meeting
from meetingapp.models import Delegate, Invitation, Meeting, OutboxMessage
from tests.factories import ApprovedDelegateFactory, UserFactory
from tests.invitation_helpers import invitation_with_token, upcoming_meeting
from tests.registration_helpers import accepted_invitation, delegate_data, register

SIGNALS = ("invitation_answered", "delegate_approved", "delegate_withdrawn", "delegate_changed",
           "meeting_changed", "meeting_cancelled", "agenda_published", "checked_in")


@pytest.fixture
def heard():
    """``[(signal name, sender's id, keyword arguments), ...]`` of every signal sent."""
    events, receivers = [], []
    for name in SIGNALS:
        def receiver(sender, _name=name, **kwargs):
            events.append((_name, getattr(sender, "id", sender), kwargs))

        getattr(hooks, name).connect(receiver)
        receivers.append((name, receiver))
    yield events
    for name, receiver in receivers:
        getattr(hooks, name).disconnect(receiver)


def _names(events) -> list[str]:
    return [name for name, _sender, _kwargs in events]


def _registered(app, client):
    """A pending delegate registered through the invitation link: (meeting, delegate, token)."""
    with app.app_context():
        invitation_id, token = accepted_invitation()
        meeting_id = db.session.get(Invitation, invitation_id).meeting_id
    assert register(client, token, family_name="Lefèvre").status_code == 302
    with app.app_context():
        delegate_id = db.session.scalar(select(Delegate.id).where(
            Delegate.invitation_id == invitation_id))
    return meeting_id, delegate_id, token


def test_an_answer_is_announced_once(app, client, heard):
    with app.app_context():
        invitation_id, token = invitation_with_token(upcoming_meeting())
    client.post(f"/i/{token}/respond/accept")
    client.post(f"/i/{token}/respond/accept")  # the same answer again changes nothing
    assert heard == [("invitation_answered", invitation_id, {"accepted": True})]


def test_an_approval_is_announced_and_the_listening_features_do_their_part(
        app, client, staff_client, heard):
    meeting_id, delegate_id, _token = _registered(app, client)
    staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve")
    assert ("delegate_approved", delegate_id, {}) in heard
    with app.app_context():
        delegate = db.session.get(Delegate, delegate_id)
        code = current_code(code_row(delegate))  # badges: the check-in code is issued
        message = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.category == "registration_approved"))
        names = [a.filename for a in message.attachments]
    assert "invite.ics" in names  # calendars: the invitation is attached
    assert code.replace("-", "")[:5] in message.body_text.replace(" ", "").replace("-", "")


def test_a_new_listener_reacts_to_an_approval_without_changing_the_registrations(
        app, client, staff_client):
    seen = []

    def note(delegate):
        seen.append((delegate.id, delegate.status))

    hooks.delegate_approved.connect(note)
    try:
        meeting_id, delegate_id, _token = _registered(app, client)
        staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve")
    finally:
        hooks.delegate_approved.disconnect(note)
    assert seen == [(delegate_id, "approved")]


def test_changes_and_withdrawal_through_the_link_are_announced(app, client, staff_client,
                                                               heard):
    meeting_id, delegate_id, token = _registered(app, client)
    staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve")
    client.post(f"/i/{token}/delegates/{delegate_id}/edit",
                data=delegate_data(family_name="Lefèvre-Martin", email="new@example.org"))
    client.post(f"/i/{token}/delegates/{delegate_id}/withdraw", data={})
    changed = [kw for name, sender, kw in heard if name == "delegate_changed"]
    assert changed and changed[0]["changes"]["family_name"] == ["Lefèvre", "Lefèvre-Martin"]
    # The name changed after approval: back to pending, so the withdrawal was not of an
    # approved delegate.
    assert ("delegate_withdrawn", delegate_id,
            {"by": "organisation", "was_approved": False}) in heard


def test_rejecting_an_approved_delegate_is_announced_as_a_withdrawal(app, client,
                                                                     staff_client, heard):
    meeting_id, delegate_id, _token = _registered(app, client)
    staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve")
    staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/reject",
                      data={"reason": "Not a member of the delegation."})
    assert ("delegate_withdrawn", delegate_id, {"by": "staff", "was_approved": True}) in heard


def test_a_move_and_a_cancellation_of_the_meeting_are_announced(app, heard):
    with app.app_context():
        meeting = upcoming_meeting(status="open")
        details = details_of(meeting)
        details.venue = "Vienna International Centre"
        update_meeting(meeting, details)
        change_status(meeting, "cancelled")
        db.session.commit()
        meeting_id = meeting.id
    assert _names(heard) == ["meeting_changed", "meeting_changed", "meeting_cancelled"]
    assert heard[0][2]["changes"]["venue"][1] == "Vienna International Centre"
    assert heard[1][2]["changes"]["status"] == ["open", "cancelled"]
    assert {sender for _name, sender, _kw in heard} == {meeting_id}


def test_an_admission_at_the_door_is_announced_once(app, heard):
    with app.app_context():
        delegate = ApprovedDelegateFactory()
        meeting = db.session.get(Meeting, delegate.meeting_id)
        code = current_code(code_row(delegate))
        user = UserFactory(role="checkin")
        first = check_in_code(meeting, code, user=user)
        again = check_in_code(meeting, code, user=user)
        db.session.commit()
        assert (first.result, again.result) == ("checked_in", "already_checked_in")
        assert [e for e in heard if e[0] == "checked_in"] == [("checked_in", first.checkin_id, {})]
