"""Calendars of meetings, agendas and delegates, and the feed tokens that subscribe to them.

Services add and flush; the view commits. Calendars show the agenda as last
published (what delegates were told), never the draft.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..agenda.publication import published_programme
from ..audit.services import record
from ..extensions import db
from ..models import (
    CalendarFeed,
    Delegate,
    InvitationStatus,
    Meeting,
    RegistrationStatus,
    User,
    utcnow,
)
from ..tokens import find_by_token, new_token
from ..urls import external_url
from .ics import Options, build_calendar, item_event, meeting_event, stamp_of


@dataclass
class CalendarFile:
    """A calendar ready to send: its bytes, revision time and validator."""

    content: bytes
    last_modified: datetime
    filename: str

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.content).hexdigest()[:32]


def agenda_items(meeting: Meeting, delegate: Delegate | None = None):
    """``(items, published_at)`` of the published programme; a delegate's: where theirs speak."""
    programme = published_programme(meeting)
    if programme is None:
        return [], None
    items = [i for i in programme.items if i.kind == "item"]
    if delegate is not None:
        organisation_id = delegate.invitation.organisation_id
        items = [i for i in items if any(
            s.delegate_id == delegate.id or s.organisation_id == organisation_id
            for s in i.speakers)]
    return items, programme.published_at


def calendar_file(meetings_items: list[tuple[Meeting, list, datetime | None]], filename: str,
                  *, link_for, method: str | None = None, attendee: Delegate | None = None,
                  name: str = "", stamp: datetime | None = None,
                  include_meeting: bool = True, cancelled: bool = False,
                  sequence_raised: bool = False) -> CalendarFile:
    """A calendar of several meetings, each with its items; ``link_for(meeting)`` the link."""
    revision = stamp_of(*[m.updated_at for m, _items, _published in meetings_items],
                        *[p for _meeting, _items, p in meetings_items])
    events = []
    for meeting, items, published_at in meetings_items:
        options = Options(link=link_for(meeting), method=method, attendee=attendee,
                          stamp=stamp if method else (stamp or revision), name=name,
                          cancelled=cancelled, sequence_raised=sequence_raised)
        if include_meeting:
            events.append(meeting_event(meeting, options))
        events += [item_event(meeting, i, published_at or meeting.updated_at, options)
                   for i in items]
    content = build_calendar(events, Options(link="", method=method, name=name))
    return CalendarFile(content=content, last_modified=revision, filename=filename)


def staff_link(meeting: Meeting) -> str:
    return external_url("meetings.detail", meeting_id=meeting.id)


def page_link(token: str) -> str:
    """The delegate's own page (their personal link), the URL of the calendars they get."""
    return external_url("delegates.page", token=token)


def delegate_calendar(delegate: Delegate, link: str = "", **options) -> CalendarFile:
    """The delegate's own calendar: the meeting and the items where they or theirs speak;
    ``link``: their page, when the caller has their personal link."""
    items, published_at = agenda_items(delegate.meeting, delegate)
    return calendar_file([(delegate.meeting, items, published_at)],
                         f"meeting-{delegate.meeting_id}-my-calendar.ics",
                         link_for=lambda _meeting: link, name=delegate.meeting.title,
                         **options)


def staff_calendar() -> CalendarFile:
    """Every meeting (drafts included) with its published items: the staff feed."""
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    rows = [(m, *agenda_items(m)) for m in meetings]
    return calendar_file(rows, "special-meetings.ics", link_for=staff_link,
                         name="Special Meetings")


# ----- feed tokens -----

def feed_of(*, delegate: Delegate | None = None, user: User | None = None) -> CalendarFeed | None:
    """The feed row of a delegate or a staff user, if one was ever issued."""
    if delegate is not None:
        return db.session.scalar(select(CalendarFeed).where(CalendarFeed.delegate_id ==
                                                            delegate.id))
    assert user is not None, "feed_of needs a delegate or a user"
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def issue_feed(*, delegate: Delegate | None = None, user: User | None = None,
               actor: str | None = None) -> str:
    """A new feed token for the owner (any earlier one stops working); returns the token."""
    feed = feed_of(delegate=delegate, user=user)
    if feed is None:
        feed = CalendarFeed(delegate_id=delegate.id if delegate else None,
                            user_id=user.id if user else None)
        db.session.add(feed)
    token, token_hash = new_token()
    feed.token_hash, feed.issued_at, feed.revoked_at = token_hash, utcnow(), None
    db.session.flush()
    record("issue_calendar_feed", feed, meeting=delegate.meeting if delegate else None,
           actor=actor)
    return token


def revoke_feed(*, delegate: Delegate | None = None, user: User | None = None,
                actor: str | None = None) -> bool:
    """Stop the owner's feed link; False if there was none."""
    feed = feed_of(delegate=delegate, user=user)
    if feed is None or feed.token_hash is None:
        return False
    feed.token_hash, feed.revoked_at = None, utcnow()
    db.session.flush()
    record("revoke_calendar_feed", feed, meeting=delegate.meeting if delegate else None,
           actor=actor)
    return True


def find_feed(token: str) -> CalendarFeed | None:
    """The live feed this token opens (None: unknown, revoked, or its owner is gone)."""
    feed = find_by_token(select(CalendarFeed), CalendarFeed.token_hash, token)
    if feed is None:
        return None
    if feed.user_id is not None and (not feed.user.active or
                                     feed.user.role not in ("admin", "staff")):
        return None
    if feed.delegate_id is not None and feed.delegate.invitation.status == InvitationStatus.REVOKED:
        return None
    return feed


def feed_calendar(feed: CalendarFeed) -> CalendarFile:
    """What a feed serves now; a delegate no longer registered sees the events cancelled."""
    if feed.user_id is not None:
        return staff_calendar()
    delegate = feed.delegate
    assert delegate is not None  # one_owner: a feed without a user has a delegate
    if delegate.status in (RegistrationStatus.REJECTED, RegistrationStatus.WITHDRAWN):
        return delegate_cancellation(delegate, method=None)
    return delegate_calendar(delegate)


def delegate_cancellation(delegate: Delegate, method: str | None = "CANCEL",
                          stamp: datetime | None = None) -> CalendarFile:
    """The delegate's events, all STATUS:CANCELLED (METHOD:CANCEL for e-mail)."""
    return delegate_calendar(delegate, method=method, stamp=stamp, cancelled=True,
                             attendee=delegate if method else None)
