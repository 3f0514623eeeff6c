"""Building iCalendar (RFC 5545) files: the meeting and its agenda items as VEVENTs.

UIDs are ``meeting-<id>@<host>`` and ``item-<id>@<host>`` and never change;
SEQUENCE rises with every change of the event's own time, place or status (an item's
not with the meeting's). Times carry the
meeting's TZID with a VTIMEZONE written from zoneinfo's transitions (vtimezone.py);
DTSTAMP is in UTC.
Escaping, folding at 75 octets and UTF-8 are icalendar's work.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from ..models import Meeting, MeetingStatus
from ..models.registration import Delegate
from ..urls import calendar_uid_domain
from .vtimezone import vtimezone

PRODID = "-//Special Meeting//Calendar invitations//EN"
MEDIA_TYPE = "text/calendar; charset=utf-8"


@dataclass
class Options:
    """How to write a calendar: METHOD, the link back, DTSTAMP, the attendee (invitations)."""

    link: str  # the reader's own page ("": no URL, never a page they cannot open)
    method: str | None = None
    stamp: datetime | None = None  # None: now
    attendee: Delegate | None = None
    name: str = ""
    # Every event cancelled and its SEQUENCE one higher (the attendee's place was withdrawn).
    cancelled: bool = False
    # With ``cancelled``: keep the SEQUENCE, already raised by the change that cancels it
    # for this attendee (an item whose speakers changed, meetingapp/agenda/publication.py).
    sequence_raised: bool = False


def uid_host(meeting: Meeting | None = None) -> str:
    """The domain of UIDs: the one the meeting was given (never changes), else today's."""
    return (meeting.calendar_uid_domain if meeting is not None else None) or calendar_uid_domain()


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@{uid_host(meeting)}"


def item_uid(item, meeting: Meeting | None = None) -> str:
    return f"item-{item.id}@{uid_host(meeting)}"


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def _utc(moment: datetime | None) -> datetime:
    return (moment or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def location(meeting: Meeting, room: str = "") -> str:
    """Room, venue and address on one line."""
    return ", ".join(part.strip() for part in (room, meeting.venue, meeting.address)
                     if part and part.strip())


def _status(cancelled: bool, meeting: Meeting) -> str:
    if cancelled or meeting.status == MeetingStatus.CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if meeting.status == MeetingStatus.DRAFT else "CONFIRMED"


def _organizer() -> vCalAddress:
    config = current_app.config
    return vCalAddress.new(config["SECRETARIAT_EMAIL"],
                           cn=_param(config.get("SECRETARIAT_NAME") or ""))


def _param(text: str) -> str:
    """A parameter value (CN): no double quotes or control characters allowed there."""
    return " ".join(text.replace('"', "'").split())


def _event(uid: str, summary: str, start: datetime, end: datetime, zone: str, *,
           sequence: int, status: str, where: str, description: str, modified: datetime,
           options: Options) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(options.stamp))
    event.add("dtstart", _local(start, zone))
    event.add("dtend", _local(end, zone))
    event.add("summary", vText(summary))
    event.add("sequence",
              sequence + (1 if options.cancelled and not options.sequence_raised else 0))
    event.add("status", "CANCELLED" if options.cancelled else status)
    event.add("last-modified", _utc(modified))
    if where:
        event.add("location", vText(where))
    event.add("description", vText(description))
    if options.link:
        event.add("url", options.link, parameters={"VALUE": "URI"})
    event.add("transp", "OPAQUE" if status != "CANCELLED" else "TRANSPARENT")
    if options.method:
        event.add("organizer", _organizer())
        if options.attendee is not None:
            event.add("attendee", vCalAddress.new(
                options.attendee.email, cn=_param(options.attendee.display_name),
                role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=False))
    return event


def meeting_event(meeting: Meeting, options: Options) -> Event:
    """The whole meeting as one event."""
    text = "\n\n".join(p for p in (meeting.description.strip(), options.link) if p)
    return _event(meeting_uid(meeting), meeting.title, meeting.starts_at, meeting.ends_at,
                  meeting.timezone, sequence=meeting.sequence or 0,
                  status=_status(False, meeting), where=location(meeting),
                  description=text, modified=meeting.updated_at, options=options)


def speakers_text(item) -> str:
    """Speakers by role and organisation only (no delegate's name in a shared file)."""
    lines = []
    for speaker in item.speakers:
        org = (f"{speaker.organisation} ({speaker.acronym})" if speaker.acronym
               else speaker.organisation)
        lines.append(f"{speaker.role_label}: {org}")
    return "\n".join(lines)


def item_event(meeting: Meeting, item, modified: datetime, options: Options) -> Event:
    """One agenda item (a ProgrammeItem of the published programme) as an event."""
    text = "\n\n".join(p for p in (item.description.strip(), speakers_text(item),
                                   f"{meeting.title}\n{options.link}") if p)
    return _event(item_uid(item, meeting), item.title, item.starts_at, item.ends_at,
                  meeting.timezone, sequence=item.sequence + (meeting.item_sequence_base or 0),
                  status=_status(item.cancelled, meeting),
                  where=location(meeting, item.room), description=text,
                  modified=max(_utc(modified), _utc(meeting.updated_at)), options=options)


def build_calendar(events: list[Event], options: Options) -> bytes:
    """The VCALENDAR with VERSION, PRODID, CALSCALE, METHOD, its VTIMEZONEs and ``events``."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if options.method:
        calendar.add("method", options.method)
    if options.name:
        calendar.add("x-wr-calname", vText(options.name))
    for event in events:
        calendar.add_component(event)
    starts = [e.decoded("dtstart") for e in events]
    first = min((s.date() for s in starts), default=date(2000, 1, 1))
    last = max((e.decoded("dtend").date() for e in events), default=first)
    zones = sorted({s.tzinfo.key for s in starts if getattr(s.tzinfo, "key", None)})
    calendar.subcomponents[:0] = [
        vtimezone(zone, date(first.year - 1, 1, 1), date(last.year + 1, 12, 31))
        for zone in zones]
    return calendar.to_ical()


def stamp_of(*moments: datetime | None) -> datetime:
    """The newest of ``moments`` in UTC (the calendar's revision time)."""
    known = [_utc(m) for m in moments if m is not None]
    return max(known) if known else _utc(None)
