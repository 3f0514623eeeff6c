"""Loading a meeting's agenda in a fixed number of queries, whatever its size."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    AgendaItem,
    AgendaSession,
    AgendaVersion,
    Meeting,
    Proposal,
    ProposalStatus,
    Speaker,
    Topic,
)
from ..timezones import utc_to_local


@dataclass
class Agenda:
    """The live (draft) agenda of a meeting, sessions and items in time order."""

    meeting: Meeting
    sessions: list[AgendaSession]
    items: list[AgendaItem]
    items_by_session: dict[int, list[AgendaItem]] = field(default_factory=dict)

    @property
    def free_items(self) -> list[AgendaItem]:
        """Items and breaks outside any session."""
        return [i for i in self.items if i.session_id is None]

    def items_of(self, session: AgendaSession) -> list[AgendaItem]:
        """The session's items in order, cancelled ones included."""
        return self.items_by_session.get(session.id, [])

    def active_items_of(self, session: AgendaSession) -> list[AgendaItem]:
        """The session's items that are not cancelled, in order."""
        return [i for i in self.items_of(session) if not i.cancelled]

    def entries(self) -> list[tuple[str, object]]:
        """Sessions and free-standing items together, by start time: ("session"|"item", obj)."""
        rows = [("session", s) for s in self.sessions] + [("item", i) for i in self.free_items]
        return sorted(rows, key=lambda r: (r[1].starts_at, r[0] == "item", r[1].id))

    def days(self) -> list[tuple[date, list[tuple[str, object]]]]:
        """``entries`` grouped by their day in the meeting's zone."""
        grouped: dict[date, list] = {}
        for kind, obj in self.entries():
            grouped.setdefault(utc_to_local(obj.starts_at, self.meeting.timezone).date(),
                               []).append((kind, obj))
        return sorted(grouped.items())


def item_order(item: AgendaItem) -> tuple:
    """How items sort: start, then position, then id."""
    return (item.starts_at, item.position, item.id)


def load_agenda(meeting: Meeting) -> Agenda:
    """Sessions, items, topics, speakers, their organisations and delegates: six queries."""
    sessions = db.session.scalars(
        select(AgendaSession).where(AgendaSession.meeting_id == meeting.id)
        .options(selectinload(AgendaSession.topics))
        .order_by(AgendaSession.starts_at, AgendaSession.id)).all()
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .options(selectinload(AgendaItem.topics),
                 selectinload(AgendaItem.speakers).selectinload(Speaker.organisation),
                 selectinload(AgendaItem.speakers).selectinload(Speaker.delegate))
        .order_by(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)).all()
    by_session: dict[int, list[AgendaItem]] = {}
    for item in items:
        if item.session_id is not None:
            by_session.setdefault(item.session_id, []).append(item)
    return Agenda(meeting=meeting, sessions=list(sessions), items=list(items),
                  items_by_session=by_session)


def latest_version(meeting: Meeting) -> AgendaVersion | None:
    """The last published version of the agenda, or None while it is a draft."""
    return db.session.scalar(select(AgendaVersion).where(
        AgendaVersion.meeting_id == meeting.id).order_by(AgendaVersion.number.desc()).limit(1))


def versions_of(meeting: Meeting) -> list[AgendaVersion]:
    """Every published version, newest first."""
    return list(db.session.scalars(select(AgendaVersion).where(
        AgendaVersion.meeting_id == meeting.id).order_by(AgendaVersion.number.desc())))


def pending_proposals(meeting: Meeting) -> int:
    """How many proposals and requests for the floor await an answer."""
    return db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.meeting_id == meeting.id, Proposal.status == ProposalStatus.PENDING)) or 0


def active_topics() -> list[Topic]:
    """Topics staff can tag with, by name."""
    return list(db.session.scalars(select(Topic).where(Topic.active).order_by(Topic.name)))


def rooms_of(meeting: Meeting) -> list[str]:
    """Rooms already used in the meeting, for the room field's suggestions."""
    rooms = set(db.session.scalars(select(AgendaSession.room).where(
        AgendaSession.meeting_id == meeting.id, AgendaSession.room != "")))
    rooms |= set(db.session.scalars(select(AgendaItem.room).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.room != "")))
    return sorted(rooms)
