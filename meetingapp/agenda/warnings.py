"""What looks wrong in the agenda: shown to staff as warnings, never silently accepted.

Computed from an already loaded ``Agenda``: no query of its own.
"""

from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import RegistrationStatus
from ..models.registration import REGISTRATION_STATUS_LABELS
from ..text import fold
from ..timezones import format_wall_clock, utc_to_local
from .queries import Agenda

KINDS = {
    "room_overlap": _l("Same room, same time"),
    "speaker_clash": _l("Speaker in two places at once"),
    "outside_dates": _l("Outside the meeting's dates"),
    "crosses_midnight": _l("Crosses midnight"),
    "not_approved": _l("Speaker not approved"),
    "outside_session": _l("Outside its session's time"),
}


@dataclass(frozen=True)
class AgendaWarning:
    """One problem, the items it concerns, and what to tell staff."""

    kind: str
    message: str
    item_ids: tuple[int, ...]

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


def _not_approved(delegate, item) -> str:
    """The not-approved warning, one whole sentence per registration status."""
    names = {"delegate": delegate.display_name, "item": item.title}
    if delegate.status == RegistrationStatus.PENDING:
        return _("%(delegate)s speaks at “%(item)s” but their registration is pending, "
                 "not approved.", **names)
    if delegate.status == RegistrationStatus.REJECTED:
        return _("%(delegate)s speaks at “%(item)s” but their registration is rejected, "
                 "not approved.", **names)
    if delegate.status == RegistrationStatus.WITHDRAWN:
        return _("%(delegate)s speaks at “%(item)s” but their registration is withdrawn, "
                 "not approved.", **names)
    return _("%(delegate)s speaks at “%(item)s” but their registration is %(status)s, "
             "not approved.", status=str(REGISTRATION_STATUS_LABELS[delegate.status]).lower(),
             **names)


def _overlap(a, b) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _span(item, zone: str) -> str:
    start, end = utc_to_local(item.starts_at, zone), utc_to_local(item.ends_at, zone)
    return f"{format_wall_clock(start, '%d %b %H:%M')}–{end:%H:%M}"


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
                found.append(AgendaWarning("room_overlap", _(
                    "“%(first)s” (%(first_time)s) and “%(second)s” (%(second_time)s) are "
                    "both in %(room)s at the same time.", first=a.title, first_time=_span(a, zone),
                    second=b.title, second_time=_span(b, zone), room=a.effective_room),
                    (a.id, b.id)))

    by_delegate: dict[int, list] = {}
    for item in items:
        for speaker in item.speakers:
            if speaker.delegate_id is not None:
                by_delegate.setdefault(speaker.delegate_id, []).append((item, speaker))
            if speaker.delegate is not None \
                    and speaker.delegate.status != RegistrationStatus.APPROVED:
                found.append(AgendaWarning("not_approved", _not_approved(
                    speaker.delegate, item), (item.id,)))
    for pairs in by_delegate.values():
        for (a, speaker), (b, _other) in combinations(pairs, 2):
            if a is not b and _overlap(a, b):
                found.append(AgendaWarning("speaker_clash", _(
                    "%(delegate)s speaks at “%(first)s” (%(first_time)s) and at “%(second)s” "
                    "(%(second_time)s) at the same time.",
                    delegate=speaker.delegate.display_name, first=a.title,
                    first_time=_span(a, zone), second=b.title, second_time=_span(b, zone)),
                    (a.id, b.id)))

    first_local = utc_to_local(meeting.starts_at, zone)
    last_local = utc_to_local(meeting.ends_at, zone)
    first_day, last_day = first_local.date(), last_local.date()
    for item in items:
        start = utc_to_local(item.starts_at, zone)
        end = utc_to_local(item.ends_at - timedelta(microseconds=1), zone)
        if start.date() < first_day or end.date() > last_day:
            found.append(AgendaWarning("outside_dates", _(
                "“%(item)s” (%(time)s) is outside the meeting's dates (%(first)s to %(last)s).",
                item=item.title, time=_span(item, zone),
                first=format_wall_clock(first_local, "%d %B %Y"),
                last=format_wall_clock(last_local, "%d %B %Y")), (item.id,)))
        if start.date() != end.date():
            found.append(AgendaWarning("crosses_midnight", _(
                "“%(item)s” starts on %(day)s and ends on the next day (%(time)s).",
                item=item.title, day=format_wall_clock(start, "%d %B"),
                time=_span(item, zone)), (item.id,)))
        session = item.session
        if session is not None and (item.starts_at < session.starts_at
                                    or item.ends_at > session.ends_at):
            found.append(AgendaWarning("outside_session", _(
                "“%(item)s” (%(time)s) is not within the time of its session “%(session)s” "
                "(%(session_time)s).", item=item.title, time=_span(item, zone),
                session=session.title, session_time=_span(session, zone)), (item.id,)))
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
