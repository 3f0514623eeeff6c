"""Shared set-up for the agenda tests: the First Special Meeting and its organisations."""

import re
from datetime import UTC, datetime

from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AgendaItem, AgendaSession, AgendaVersion, Meeting
from tests.factories import InvitationFactory, MeetingFactory, OrganisationFactory

# 6 March 2003 in New York: EST, UTC-5 (daylight time began on 6 April that year).
DAY = "2003-03-06"
SESSION_I = "Session I: Global Standards on Counter-Terrorism"
PRESENTERS = (
    ("Counter-Terrorism Committee", "CTC"),
    ("International Monetary Fund", "IMF"),
    ("International Civil Aviation Organization", "ICAO"),
    ("International Maritime Organization", "IMO"),
    ("World Customs Organization", "WCO"),
)


def first_special_meeting(**fields) -> Meeting:
    """The First Special Meeting: 6 March 2003, 08:00-18:00 EST, America/New_York."""
    fields.setdefault("title", "First Special Meeting of the Counter-Terrorism Committee with "
                               "international, regional and sub-regional organisations")
    fields.setdefault("starts_at", datetime(2003, 3, 6, 13, 0, tzinfo=UTC))
    fields.setdefault("ends_at", datetime(2003, 3, 6, 23, 0, tzinfo=UTC))
    return MeetingFactory(**fields)


def invite(meeting, name: str, acronym: str, status: str = "accepted"):
    """An organisation invited to ``meeting``; returns (organisation, invitation)."""
    organisation = OrganisationFactory(name=name, acronym=acronym)
    invitation = InvitationFactory(meeting=meeting, organisation=organisation, status=status,
                                   email=f"focal@{acronym.lower()}.example.org")
    return organisation, invitation


def at(hhmm: str, day: str = DAY) -> str:
    """A datetime-local form value on the meeting's wall clock."""
    return f"{day}T{hhmm}"


def item_form(title: str, start: str, end: str, **fields) -> dict:
    """The item form, filled in (times on the meeting's wall clock)."""
    data = {"kind": "item", "session_id": "", "title": title, "description": "",
            "starts_at": at(start), "ends_at": at(end), "room": ""}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def session_form(title: str, start: str, end: str, **fields) -> dict:
    """The session form, filled in."""
    data = {"title": title, "description": "", "starts_at": at(start), "ends_at": at(end),
            "room": "Conference Room 4", "move_items": "y"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def item_id(app, title: str) -> int:
    """The id of the item with this title (None if there is none)."""
    with app.app_context():
        return db.session.scalar(select(AgendaItem.id).where(AgendaItem.title == title))


def session_id(app, title: str) -> int:
    """The id of the session with this title."""
    with app.app_context():
        return db.session.scalar(select(AgendaSession.id).where(AgendaSession.title == title))


def get_item(app, title: str) -> AgendaItem:
    """The item with this title, detached."""
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == title))
        db.session.expunge(item)
        return item


def publish(client, meeting_id: int, note: str = ""):
    """Preview, then publish with the fingerprint the preview gave; returns the response.

    When the preview offers nothing to publish, returns the preview page itself.
    """
    preview = client.get(f"/meetings/{meeting_id}/agenda/publish")
    match = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"',
                      preview.get_data(as_text=True))
    if match is None:  # no form: nothing to publish
        return preview
    return client.post(f"/meetings/{meeting_id}/agenda/publish",
                       data={"fingerprint": match.group(1), "note": note})


def versions(app, meeting_id: int) -> list[AgendaVersion]:
    """The meeting's published versions, oldest first, detached."""
    with app.app_context():
        found = db.session.scalars(select(AgendaVersion).where(
            AgendaVersion.meeting_id == meeting_id).order_by(AgendaVersion.number)).all()
        for version in found:
            db.session.expunge(version)
        return list(found)
