"""What looks wrong in the agenda: shown to staff as warnings, never silently accepted.

Computed from an already loaded ``Agenda``: no query of its own.
"""

from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations

from ..text import fold
from ..timezones import utc_to_local
from .queries import Agenda

KINDS = {
    "room_overlap": "Same room, same time",
    "speaker_clash": "Speaker in two places at once",
    "outside_dates": "Outside the meeting's dates",
    "crosses_midnight": "Crosses midnight",
    "not_approved": "Speaker not approved",
    "outside_session": "Outside its session's time",
}


@dataclass(frozen=True)
class AgendaWarning:
    """One problem, the items it concerns, and what to tell staff."""

    kind: str
    message: str
    item_ids: tuple[int, ...]

    @property
    def label(self) -> str:
        return KINDS[self.kind]


def _overlap(a, b) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _span(item, zone: str) -> str:
    start, end = utc_to_local(item.starts_at, zone), utc_to_local(item.ends_at, zone)
    return f"{start:%d %b %H:%M}–{end:%H:%M}"


def agenda_warnings(agenda: Agenda) -> list[AgendaWarning]:
    """Every warning about the agenda's items that are not cancelled."""
    meeting, zone = agenda.meeting, agenda.meeting.timezone
    items = [i for i in agenda.items if not i.cancelled]
    found: list[AgendaWarning] = []

    by_room: dict[str, list] = {}
    for item in items:
        if item.effective_room:
            by_room.setdefault(fold(item.effective_room), []).append(item)
    for group in by_room.values():
        for a, b in combinations(group, 2):
            if _overlap(a, b):
                found.append(AgendaWarning("room_overlap", (
                    f"“{a.title}” ({_span(a, zone)}) and “{b.title}” ({_span(b, zone)}) are "
                    f"both in {a.effective_room} at the same time."), (a.id, b.id)))

    by_delegate: dict[int, list] = {}
    for item in items:
        for speaker in item.speakers:
            if speaker.delegate_id is not None:
                by_delegate.setdefault(speaker.delegate_id, []).append((item, speaker))
            if speaker.delegate is not None and speaker.delegate.status != "approved":
                found.append(AgendaWarning("not_approved", (
                    f"{speaker.delegate.display_name} speaks at “{item.title}” but their "
                    f"registration is {speaker.delegate.status}, not approved."), (item.id,)))
    for pairs in by_delegate.values():
        for (a, speaker), (b, _) in combinations(pairs, 2):
            if a is not b and _overlap(a, b):
                found.append(AgendaWarning("speaker_clash", (
                    f"{speaker.delegate.display_name} speaks at “{a.title}” ({_span(a, zone)}) "
                    f"and at “{b.title}” ({_span(b, zone)}) at the same time."), (a.id, b.id)))

    first_day = utc_to_local(meeting.starts_at, zone).date()
    last_day = utc_to_local(meeting.ends_at, zone).date()
    for item in items:
        start = utc_to_local(item.starts_at, zone)
        end = utc_to_local(item.ends_at - timedelta(microseconds=1), zone)
        if start.date() < first_day or end.date() > last_day:
            found.append(AgendaWarning("outside_dates", (
                f"“{item.title}” ({_span(item, zone)}) is outside the meeting's dates "
                f"({first_day:%d %B %Y} to {last_day:%d %B %Y})."), (item.id,)))
        if start.date() != end.date():
            found.append(AgendaWarning("crosses_midnight", (
                f"“{item.title}” starts on {start:%d %B} and ends on the next day "
                f"({_span(item, zone)})."), (item.id,)))
        session = item.session
        if session is not None and (item.starts_at < session.starts_at
                                    or item.ends_at > session.ends_at):
            found.append(AgendaWarning("outside_session", (
                f"“{item.title}” ({_span(item, zone)}) is not within the time of its session "
                f"“{session.title}” ({_span(session, zone)})."), (item.id,)))
    return found


def warnings_by_item(warnings: list[AgendaWarning]) -> dict[int, list[AgendaWarning]]:
    """The warnings of each item, by item id."""
    result: dict[int, list[AgendaWarning]] = {}
    for warning in warnings:
        for item_id in warning.item_ids:
            result.setdefault(item_id, []).append(warning)
    return result


def warnings_about(agenda: Agenda, item_ids) -> list[AgendaWarning]:
    """The warnings concerning any of ``item_ids`` (what to say after saving them)."""
    ids = set(item_ids)
    return [w for w in agenda_warnings(agenda) if ids & set(w.item_ids)]
