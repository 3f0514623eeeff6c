"""Editing the agenda: sessions, items and breaks; insert-and-shift; reorder and move.

Times arrive as naive wall-clock times in the meeting's zone and are stored
in UTC. Services add and flush; the view commits. Every change is audited,
and ``sequence`` is raised whenever an item's or session's time, room or
status changes (calendar clients take the higher SEQUENCE as the update).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.services import apply_changes, record
from ..extensions import db
from ..models import AgendaItem, AgendaSession, AgendaStatus, Meeting, Topic
from ..models.agenda import ITEM_KINDS
from ..timezones import NonExistentLocalTime, local_to_utc, utc_to_local
from .errors import AgendaError, flush
from .queries import item_order

CALENDAR_FIELDS = ("starts_at", "ends_at", "room", "status")
LIMITS = {"title": 300, "room": 200, "description": 20000}


@dataclass
class SessionDetails:
    """What staff enter for a session; times naive, on the meeting's wall clock."""

    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    description: str = ""
    room: str = ""
    topic_ids: list[int] = field(default_factory=list)
    move_items: bool = True  # on a new start, move the session's items along


@dataclass
class ItemDetails:
    """What staff enter for an item or break; times naive, on the meeting's wall clock."""

    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    kind: str = "item"
    session_id: int | None = None
    description: str = ""
    room: str = ""
    topic_ids: list[int] = field(default_factory=list)
    shift_later: bool = False  # move every later item of the same day by the same amount


def _texts(details, errors: dict) -> dict:
    values = {}
    for name in ("title", "description", "room"):
        values[name] = (getattr(details, name) or "").strip()
        if len(values[name]) > LIMITS[name]:
            errors[name] = _("At most %(limit)d characters, please.", limit=LIMITS[name])
    if not values["title"]:
        errors["title"] = _("Enter a title.")
    return values


def _times(details, meeting: Meeting, errors: dict) -> dict:
    values = {}
    for name in ("starts_at", "ends_at"):
        local = getattr(details, name)
        if local is None:
            errors[name] = _("Enter a date and time.")
            continue
        try:
            values[name] = local_to_utc(local.replace(tzinfo=None), meeting.timezone)
        except NonExistentLocalTime as error:
            errors[name] = str(error)
    if len(values) == 2 and values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = _("The end must be after the start.")
    return values


def _topics(topic_ids) -> list[Topic]:
    ids = sorted({int(i) for i in topic_ids or ()})
    if not ids:
        return []
    topics = list(db.session.scalars(select(Topic).where(Topic.id.in_(ids))))
    if len(topics) != len(ids):
        raise AgendaError({"topic_ids": _("Choose topics from the list.")})
    return topics


def _topic_change(obj, topics: list[Topic]) -> dict:
    old = sorted(t.name for t in obj.topics)
    new = sorted(t.name for t in topics)
    if old == new:
        return {}
    obj.topics = topics
    return {"topics": [", ".join(old), ", ".join(new)]}


def _bump(obj, changes: dict) -> None:
    """Raise the calendar SEQUENCE when the time, room or status changed."""
    if changes.keys() & set(CALENDAR_FIELDS) or "session_room" in changes:
        obj.sequence += 1


def session_of(meeting: Meeting, session_id: int | None) -> AgendaSession | None:
    """The meeting's session with this id (None for none); refuses another meeting's."""
    if session_id in (None, "", 0):
        return None
    session = db.session.get(AgendaSession, int(session_id))
    if session is None or session.meeting_id != meeting.id:
        raise AgendaError({"session_id": _("Choose a session of this meeting.")})
    if session.cancelled:
        raise AgendaError({"session_id": _("This session is cancelled: choose another.")})
    return session


# ----- sessions -----

def create_session(meeting: Meeting, details: SessionDetails) -> AgendaSession:
    """Add a session to the meeting's agenda."""
    errors: dict[str, str] = {}
    values = _texts(details, errors) | _times(details, meeting, errors)
    if errors:
        raise AgendaError(errors)
    session = AgendaSession(meeting_id=meeting.id, status=AgendaStatus.SCHEDULED, sequence=0)
    changes = apply_changes(session, values)
    changes |= _topic_change(session, _topics(details.topic_ids))
    db.session.add(session)
    flush()
    record("create", session, meeting=meeting, changes=changes)
    return session


def update_session(session: AgendaSession, details: SessionDetails) -> dict:
    """Change a session; a new start moves its items along when ``move_items`` is set."""
    meeting = session.meeting
    errors: dict[str, str] = {}
    values = _texts(details, errors) | _times(details, meeting, errors)
    if errors:
        raise AgendaError(errors)
    old_start, old_room = session.starts_at, session.room
    topics = _topics(details.topic_ids)
    changes = apply_changes(session, values)
    changes |= _topic_change(session, topics)
    _bump(session, changes)
    delta = session.starts_at - old_start
    for item in session.items:
        item_changes = {}
        if delta and details.move_items and not item.cancelled:
            item_changes = apply_changes(item, {"starts_at": item.starts_at + delta,
                                                "ends_at": item.ends_at + delta})
        if session.room != old_room and not item.room:
            item_changes["session_room"] = [old_room, session.room]
        if item_changes:
            _bump(item, item_changes)
            record("move_with_session", item, meeting=meeting, changes=item_changes)
    if changes:
        flush()
        record("update", session, meeting=meeting, changes=changes)
    return changes


def delete_session(session: AgendaSession) -> str:
    """Delete an empty session, or cancel it if it was ever published; returns which."""
    if any(not item.cancelled for item in session.items):
        raise AgendaError(_("Move or delete the session's items first."))
    meeting = session.meeting
    if session.was_published:
        changes = apply_changes(session, {"status": AgendaStatus.CANCELLED})
        _bump(session, changes)
        flush()
        record("cancel", session, meeting=meeting, changes=changes)
        return "cancelled"
    for item in list(session.items):  # cancelled items kept for their calendar UIDs
        item.session_id = None
    record("delete", session, meeting=meeting)
    db.session.delete(session)
    flush()
    return "deleted"


# ----- items -----

def create_item(meeting: Meeting, details: ItemDetails) -> tuple[AgendaItem, list]:
    """Add an item or break; with ``shift_later`` every later item of that day moves by its length.

    Returns the item and what was shifted.
    """
    values = _item_values(meeting, details)
    session = session_of(meeting, details.session_id)
    item = AgendaItem(meeting_id=meeting.id, status=AgendaStatus.SCHEDULED, sequence=0,
                      position=_next_position(meeting, values["starts_at"]))
    changes = apply_changes(item, values)
    changes |= _topic_change(item, _topics(details.topic_ids))
    item.session = session
    db.session.add(item)
    flush()
    record("create", item, meeting=meeting, changes=changes)
    shifted = []
    if details.shift_later:
        shifted = shift_later(meeting, item.starts_at, item.ends_at - item.starts_at,
                              exclude=item, own_session=session)
    return item, shifted


def update_item(item: AgendaItem, details: ItemDetails) -> tuple[dict, list]:
    """Change an item; with ``shift_later`` a new end moves every later item of the day as much."""
    meeting = item.meeting
    if item.cancelled:
        raise AgendaError(_("A cancelled item cannot be changed."))
    values = _item_values(meeting, details)
    session = session_of(meeting, details.session_id)
    old_end = item.ends_at
    topics = _topics(details.topic_ids)
    changes = apply_changes(item, values)
    if item.session_id != (session.id if session else None):
        changes["session"] = [item.session.title if item.session else None,
                              session.title if session else None]
        if not item.room and (item.session.room if item.session else "") != (
                session.room if session else ""):
            changes["session_room"] = [item.effective_room, session.room if session else ""]
        item.session = session
    changes |= _topic_change(item, topics)
    _bump(item, changes)
    shifted = []
    if changes:
        flush()
        record("update", item, meeting=meeting, changes=changes)
        if details.shift_later and item.ends_at != old_end:
            shifted = shift_later(meeting, old_end, item.ends_at - old_end, exclude=item,
                                  own_session=session)
    return changes, shifted


def _item_values(meeting: Meeting, details: ItemDetails) -> dict:
    errors: dict[str, str] = {}
    values = _texts(details, errors) | _times(details, meeting, errors)
    if details.kind not in ITEM_KINDS:
        errors["kind"] = _("Choose item or break.")
    if errors:
        raise AgendaError(errors)
    return values | {"kind": details.kind}


def _next_position(meeting: Meeting, starts_at) -> int:
    query = select(db.func.max(AgendaItem.position)).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.starts_at == starts_at)
    return (db.session.scalar(query) or 0) + 1


def delete_item(item: AgendaItem) -> str:
    """Delete a never-published item; cancel a published one (its UID lives on). Returns which."""
    meeting = item.meeting
    if item.was_published:
        if item.cancelled:
            raise AgendaError(_("This item is already cancelled."))
        changes = apply_changes(item, {"status": AgendaStatus.CANCELLED})
        _bump(item, changes)
        flush()
        record("cancel", item, meeting=meeting, changes=changes)
        return "cancelled"
    record("delete", item, meeting=meeting)
    db.session.delete(item)
    flush()
    return "deleted"


def restore_item(item: AgendaItem) -> dict:
    """Put a cancelled item back on the agenda."""
    if not item.cancelled:
        raise AgendaError(_("This item is not cancelled."))
    if item.session is not None and item.session.cancelled:
        item.session = None
    changes = apply_changes(item, {"status": AgendaStatus.SCHEDULED})
    _bump(item, changes)
    flush()
    record("restore", item, meeting=item.meeting, changes=changes)
    return changes


def shift_later(meeting: Meeting, threshold: datetime, delta: timedelta, *,
                exclude: AgendaItem | None = None, own_session=None) -> list:
    """Move every item and session of ``threshold``'s day starting at or after it by ``delta``.

    Sessions that straddle ``threshold`` (and the changed item's own session
    when it ends there) grow or shrink by ``delta``. Returns what moved.
    """
    if not delta:
        return []
    zone = meeting.timezone
    day = utc_to_local(threshold, zone).date()
    moved: list[AgendaItem | AgendaSession] = []

    def same_day(moment):
        return utc_to_local(moment, zone).date() == day

    items = db.session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.status == AgendaStatus.SCHEDULED,
        AgendaItem.starts_at >= threshold)).all()
    for item in items:
        if item is exclude or not same_day(item.starts_at):
            continue
        changes = apply_changes(item, {"starts_at": item.starts_at + delta,
                                       "ends_at": item.ends_at + delta})
        _bump(item, changes)
        moved.append(item)
        record("shift", item, meeting=meeting, changes=changes)
    sessions = db.session.scalars(select(AgendaSession).where(
        AgendaSession.meeting_id == meeting.id,
        AgendaSession.status == AgendaStatus.SCHEDULED)).all()
    for session in sessions:
        if not same_day(session.starts_at):
            continue
        if session.starts_at >= threshold and session is not own_session:
            values = {"starts_at": session.starts_at + delta, "ends_at": session.ends_at + delta}
        elif session.ends_at > threshold or (session is own_session
                                             and session.ends_at >= threshold):
            if session.ends_at + delta <= session.starts_at:
                continue
            values = {"ends_at": session.ends_at + delta}
        else:
            continue
        changes = apply_changes(session, values)
        _bump(session, changes)
        moved.append(session)
        record("shift", session, meeting=meeting, changes=changes)
    flush()
    return moved


def reorder_items(session: AgendaSession, ordered_ids: list[int]) -> list[AgendaItem]:
    """Put the session's items in this order: they take the time slots in turn.

    Each item keeps its length; the gaps between slots stay where they were.
    Returns the items whose times changed.
    """
    active = sorted((i for i in session.items if not i.cancelled), key=item_order)
    by_id = {i.id: i for i in active}
    if sorted(ordered_ids) != sorted(by_id) or len(set(ordered_ids)) != len(ordered_ids):
        raise AgendaError(_("The order sent does not match the session's items. Reload the page."))
    if not active:
        return []
    new_order = [by_id[i] for i in ordered_ids]
    gaps = [b.starts_at - a.ends_at for a, b in zip(active, active[1:], strict=False)]
    moment = active[0].starts_at
    changed = []
    for index, item in enumerate(new_order):
        length = item.ends_at - item.starts_at
        changes = apply_changes(item, {"starts_at": moment, "ends_at": moment + length,
                                       "position": index})
        moment = moment + length + (gaps[index] if index < len(gaps) else timedelta())
        if changes.keys() & {"starts_at", "ends_at"}:
            _bump(item, changes)
            changed.append(item)
    flush()
    if changed:
        record("reorder", session, meeting=session.meeting,
               changes={"order": [[i.title for i in active], [i.title for i in new_order]]})
    return changed


def move_item_step(item: AgendaItem, direction: str) -> list[AgendaItem]:
    """Swap an item with the one before ("up") or after ("down") it in its session."""
    if item.session is None or item.cancelled:
        raise AgendaError(_("Only items of a session can be moved up or down."))
    active = sorted((i for i in item.session.items if not i.cancelled), key=item_order)
    index = active.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(active):
        raise AgendaError(_("This item is already the first of its session.")
                          if direction == "up" else
                          _("This item is already the last of its session."))
    active[index], active[other] = active[other], active[index]
    return reorder_items(item.session, [i.id for i in active])


def move_item_to_session(item: AgendaItem, session_id: int | None, placement: str) -> dict:
    """Move an item to another session (or out of sessions); ``placement`` "end" appends it.

    "keep" keeps its time; "end" starts it when the session's last item ends
    (or when the session starts), keeping its length.
    """
    meeting = item.meeting
    if item.cancelled:
        raise AgendaError(_("A cancelled item cannot be moved."))
    target = session_of(meeting, session_id)
    if target is item.session:
        raise AgendaError({"session_id": _("The item is already there.")})
    values = {}
    if placement == "end" and target is not None:
        others = [i for i in target.items if not i.cancelled and i is not item]
        start = max((i.ends_at for i in others), default=target.starts_at)
        values = {"starts_at": start, "ends_at": start + (item.ends_at - item.starts_at)}
    changes = apply_changes(item, values)
    changes["session"] = [item.session.title if item.session else None,
                          target.title if target else None]
    if not item.room and (item.session.room if item.session else "") != (
            target.room if target else ""):
        changes["session_room"] = [item.effective_room, target.room if target else ""]
    item.session = target
    _bump(item, changes)
    flush()
    record("move", item, meeting=meeting, changes=changes)
    return changes
