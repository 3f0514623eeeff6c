"""The programme as people read it: built from a snapshot (a published version, or the draft).

A snapshot is plain JSON kept with each published version, so that what
delegates were shown stays exactly as it was, whatever staff edit afterwards.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from ..models import AgendaStatus, Meeting
from ..models.agenda import SPEAKER_ROLE_LABELS
from ..timezones import utc_to_local
from .queries import Agenda


def build_snapshot(agenda: Agenda) -> dict:
    """The agenda as plain data: sessions and items in order, speakers by name."""
    sessions = [{
        "id": s.id, "title": s.title, "description": s.description,
        "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
        "room": s.room, "status": s.status, "sequence": s.sequence,
        "topics": [t.name for t in s.topics],
    } for s in agenda.sessions]
    items = [{
        "id": i.id, "session_id": i.session_id, "kind": i.kind, "title": i.title,
        "description": i.description, "starts_at": i.starts_at.isoformat(),
        "ends_at": i.ends_at.isoformat(), "room": i.effective_room, "status": i.status,
        "sequence": i.sequence, "topics": [t.name for t in i.topics],
        "speakers": [{
            "organisation_id": sp.organisation_id, "organisation": sp.organisation.name,
            "acronym": sp.organisation.acronym, "delegate_id": sp.delegate_id,
            "delegate": sp.delegate.display_name if sp.delegate is not None else "",
            "role": sp.role,
        } for sp in i.speakers],
    } for i in agenda.items]
    return {"timezone": agenda.meeting.timezone, "sessions": sessions, "items": items}


@dataclass
class ProgrammeSpeaker:
    """A speaker as listed: role, organisation, perhaps the delegate's name."""

    organisation: str
    acronym: str
    organisation_id: int
    delegate: str
    delegate_id: int | None
    role: str

    @property
    def role_label(self) -> str:
        return SPEAKER_ROLE_LABELS.get(self.role, self.role)

    @property
    def who(self) -> str:
        """"H.E. Ms. X (IMF)" or "International Monetary Fund (IMF)"."""
        org = f"{self.organisation} ({self.acronym})" if self.acronym else self.organisation
        if self.delegate:
            return f"{self.delegate}, {org}"
        return org


@dataclass
class ProgrammeItem:
    """An item or break of the programme; ``uid_local`` + "@host" is its calendar UID."""

    id: int
    session_id: int | None
    kind: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    room: str
    status: str
    sequence: int
    topics: list[str]
    speakers: list[ProgrammeSpeaker]

    @property
    def cancelled(self) -> bool:
        return self.status == AgendaStatus.CANCELLED

    @property
    def uid_local(self) -> str:
        return f"item-{self.id}"


@dataclass
class ProgrammeSession:
    """A session and its items; ``uid_local`` + "@host" is its calendar UID."""

    id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    room: str
    status: str
    sequence: int
    topics: list[str]
    items: list[ProgrammeItem] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return self.status == AgendaStatus.CANCELLED

    @property
    def uid_local(self) -> str:
        return f"session-{self.id}"


@dataclass
class Programme:
    """A whole programme: the published version ``number`` (None: the draft)."""

    meeting: Meeting
    sessions: list[ProgrammeSession]
    items: list[ProgrammeItem]
    number: int | None = None
    published_at: datetime | None = None

    @property
    def free_items(self) -> list[ProgrammeItem]:
        return [i for i in self.items if i.session_id is None]

    def entries(self) -> list[tuple[str, object]]:
        """Sessions and free-standing items by start time: ("session"|"item", obj)."""
        rows = [("session", s) for s in self.sessions] + [("item", i) for i in self.free_items]
        return sorted(rows, key=lambda r: (r[1].starts_at, r[0] == "item", r[1].id))

    def days(self) -> list[tuple[date, list[tuple[str, object]]]]:
        """``entries`` grouped by day in the meeting's zone."""
        grouped: dict[date, list] = {}
        for kind, obj in self.entries():
            day = utc_to_local(obj.starts_at, self.meeting.timezone).date()
            grouped.setdefault(day, []).append((kind, obj))
        return sorted(grouped.items())

    @property
    def is_empty(self) -> bool:
        return not self.sessions and not self.items


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def programme_from_snapshot(meeting: Meeting, snapshot: dict, *, number: int | None = None,
                            published_at: datetime | None = None) -> Programme:
    """Read a snapshot back into a Programme."""
    sessions = {s["id"]: ProgrammeSession(
        id=s["id"], title=s["title"], description=s["description"],
        starts_at=_time(s["starts_at"]), ends_at=_time(s["ends_at"]), room=s["room"],
        status=s["status"], sequence=s["sequence"], topics=list(s["topics"]))
        for s in snapshot.get("sessions", [])}
    items = []
    for i in snapshot.get("items", []):
        item = ProgrammeItem(
            id=i["id"], session_id=i["session_id"], kind=i["kind"], title=i["title"],
            description=i["description"], starts_at=_time(i["starts_at"]),
            ends_at=_time(i["ends_at"]), room=i["room"], status=i["status"],
            sequence=i["sequence"], topics=list(i["topics"]),
            speakers=[ProgrammeSpeaker(**sp) for sp in i["speakers"]])
        if item.session_id is not None and item.session_id not in sessions:
            item.session_id = None
        items.append(item)
        if item.session_id is not None:
            sessions[item.session_id].items.append(item)
    return Programme(meeting=meeting, sessions=list(sessions.values()), items=items,
                     number=number, published_at=published_at)


def draft_programme(agenda: Agenda) -> Programme:
    """The live agenda as a Programme (what publishing now would show)."""
    return programme_from_snapshot(agenda.meeting, build_snapshot(agenda))
