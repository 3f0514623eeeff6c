"""Shared set-up for the invitation and portal tests."""

import re

from meetingapp.extensions import db
from meetingapp.models import Invitation
from meetingapp.tokens import new_token
from tests.factories import ContactFactory, OrganisationFactory, UpcomingMeetingFactory

LINK = re.compile(r"https?://[^\s\"<>]+/i/[A-Za-z0-9_\-]+")


def organisation_with_focal_point(**fields):
    """An organisation and its focal point (committed); returns the organisation."""
    org = OrganisationFactory(**fields)
    ContactFactory(organisation=org, email=f"focal.{org.id}@example.org",
                   name=f"Focal Point {org.id}", title="Ms.")
    db.session.refresh(org)
    return org


def upcoming_meeting(**fields):
    return UpcomingMeetingFactory(**fields)


def invitation_with_token(meeting=None, organisation=None, **fields):
    """A sent invitation whose link token we know; returns (invitation_id, token)."""
    meeting = meeting or upcoming_meeting()
    organisation = organisation or organisation_with_focal_point()
    token, token_hash = new_token()
    invitation = Invitation(meeting_id=meeting.id, organisation_id=organisation.id,
                            email=f"focal.{organisation.id}@example.org",
                            status=fields.pop("status", "sent"), token_hash=token_hash, **fields)
    db.session.add(invitation)
    db.session.commit()
    return invitation.id, token


def link_in(message) -> str:
    """The personal link in a received e-mail's plain-text part."""
    text = message.get_body(("plain",)).get_content()
    match = LINK.search(text)
    assert match, text
    return match.group(0)


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()
