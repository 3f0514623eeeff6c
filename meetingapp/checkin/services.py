"""The check-in desk: one answer per scan, one check-in per delegate, every attempt logged.

A scan is looked up by its code's hash; the answer is one of
``CHECKIN_RESULTS``. The schema has the last word on "one check-in per
delegate" (a partial unique index): when two desks scan one badge at the same
moment, the second desk's ``INSERT ... ON CONFLICT DO NOTHING`` inserts nothing and
that desk answers "already checked in" with the first desk's check-in. Services add and flush;
the view commits.
"""

from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import contains_eager

from .. import hooks
from ..audit.services import record
from ..badges.codes import find_code
from ..extensions import db
from ..models import (
    CheckIn,
    CheckinAttempt,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    Organisation,
    RegistrationStatus,
    User,
    utcnow,
)
from ..models.organisation import KIND_LABELS, ORGANISATION_KINDS
from ..models.registration import Delegate
from ..text import fold

# Meeting statuses in which the desk is open.
DESK_STATUSES = (MeetingStatus.OPEN, MeetingStatus.CLOSED, MeetingStatus.HELD)


class CheckinError(ValueError):
    """A desk or staff action the rules refuse; the message says why."""


def active_checkin(delegate_id: int) -> CheckIn | None:
    """The delegate's check-in in force (not undone), or None."""
    return db.session.scalar(select(CheckIn).where(CheckIn.delegate_id == delegate_id,
                                                   CheckIn.undone_at.is_(None)))


def _verdict(meeting: Meeting, delegate: Delegate) -> str | None:
    """Why this delegate cannot be checked in at this meeting's desk, or None."""
    if delegate.meeting_id != meeting.id:
        return "other_meeting"
    if delegate.status == RegistrationStatus.WITHDRAWN:
        return "withdrawn"
    if delegate.status != RegistrationStatus.APPROVED \
            or delegate.invitation.status != InvitationStatus.ACCEPTED:
        return "not_approved"
    return None


# How many times a scan tries again when the check-in its insert ran into was undone
# before it could be read (a mistaken scan undone at that very moment): practically once.
_ADMIT_TRIES = 3


_INSERTED = ("meeting_id", "delegate_id", "checked_in_at", "user_id", "actor", "device",
             "method")


@cache
def _insert_statement():
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING`` on the one-check-in index.

    The same text on PostgreSQL and SQLite (3.35 or later). Written as text, not with
    the dialects' ``insert().on_conflict_do_nothing()``, which SQLAlchemy compiles
    again on every execution (those constructs are not cached).
    """
    table = CheckIn.__table__
    columns = ", ".join(_INSERTED)
    values = ", ".join(f":{name}" for name in _INSERTED)
    returned = ", ".join(column.name for column in table.c)
    sql = text(f"INSERT INTO {table.name} ({columns}) VALUES ({values}) "
               "ON CONFLICT (delegate_id) WHERE undone_at IS NULL DO NOTHING "
               f"RETURNING {returned}")
    sql = sql.bindparams(*(bindparam(name, type_=table.c[name].type) for name in _INSERTED))
    return select(CheckIn).from_statement(sql.columns(*table.c))


def _insert_checkin(values: dict) -> CheckIn | None:
    """Insert a check-in unless one is in force for the delegate; the new row, or None.

    One statement on the partial unique index: when two desks insert at the same
    moment, PostgreSQL makes the second wait for the first one's commit and then
    skips it; SQLite's writers already queue (``BEGIN IMMEDIATE``).
    """
    return db.session.scalars(_insert_statement(), values).one_or_none()


def _admit(meeting: Meeting, delegate: Delegate, user: User | None, device: str,
           method: str) -> tuple[str, CheckIn | None]:
    refused = _verdict(meeting, delegate)
    if refused:
        return refused, None
    values = {"meeting_id": meeting.id, "delegate_id": delegate.id, "checked_in_at": utcnow(),
              "user_id": user.id if user else None, "actor": user.email if user else "",
              "device": device, "method": method}
    for _try in range(_ADMIT_TRIES):
        checkin = _insert_checkin(values)
        if checkin is not None:
            hooks.checked_in.send(checkin)
            return "checked_in", checkin
        # A check-in is in force already (perhaps another desk's, made a moment ago).
        existing = active_checkin(delegate.id)
        if existing is not None:
            return "already_checked_in", existing
    raise RuntimeError(f"check-in of delegate {delegate.id} neither made nor found")


def _log(meeting, result, delegate, checkin, user, device, method) -> CheckinAttempt:
    attempt = CheckinAttempt(meeting=meeting, at=utcnow(), user=user,
                             actor=user.email if user else "", device=device, method=method,
                             result=result, delegate=delegate, checkin=checkin)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def check_in_code(meeting: Meeting, text: str, *, user: User | None, device: str = "",
                  method: str = "scanner") -> CheckinAttempt:
    """Check in whoever's badge code ``text`` is, at ``meeting``'s desk; the logged attempt."""
    row = find_code(text, with_delegation=True)
    if row is None:
        return _log(meeting, "unknown_code", None, None, user, device, method)
    result, checkin = _admit(meeting, row.delegate, user, device, method)
    return _log(meeting, result, row.delegate, checkin, user, device, method)


def check_in_delegate(meeting: Meeting, delegate: Delegate, *, user: User | None,
                      device: str = "") -> CheckinAttempt:
    """Check in a delegate found by name (no badge at hand); the logged attempt."""
    result, checkin = _admit(meeting, delegate, user, device, "search")
    return _log(meeting, result, delegate, checkin, user, device, "search")


def undo_checkin(checkin: CheckIn, reason: str, user: User | None) -> None:
    """Undo a check-in made by mistake (staff, with a reason; audited); it can be made again."""
    reason = (reason or "").strip()
    if not reason:
        raise CheckinError(_("Give the reason for undoing the check-in."))
    if checkin.undone_at is not None:
        raise CheckinError(_("This check-in was undone already."))
    checkin.undone_at, checkin.undone_by, checkin.undo_reason = utcnow(), user, reason
    db.session.flush()
    record("undo_checkin", checkin, meeting=checkin.meeting, user=user,
           changes={"undo_reason": [None, reason]})


@dataclass
class KindCount:
    kind: str
    label: str
    expected: int = 0
    checked_in: int = 0


def counters(meeting: Meeting) -> dict:
    """Approved delegates expected and checked in, in all and by kind of organisation."""
    approved = (select(Organisation.kind, func.count(Delegate.id))
                .join(Invitation, Delegate.invitation_id == Invitation.id)
                .join(Organisation, Invitation.organisation_id == Organisation.id)
                .where(Delegate.meeting_id == meeting.id,
                       Delegate.status == RegistrationStatus.APPROVED,
                       Invitation.status == InvitationStatus.ACCEPTED)
                .group_by(Organisation.kind))
    kinds = {kind: KindCount(kind, str(KIND_LABELS.get(kind, kind))) for kind in ORGANISATION_KINDS}
    for kind, count in db.session.execute(approved):
        kinds.setdefault(kind, KindCount(kind, kind)).expected = count
    arrived = approved.join(CheckIn, (CheckIn.delegate_id == Delegate.id)
                            & CheckIn.undone_at.is_(None))
    for kind, count in db.session.execute(arrived):
        kinds.setdefault(kind, KindCount(kind, kind)).checked_in = count
    rows = [k for k in kinds.values() if k.expected or k.checked_in]
    return {"expected": sum(k.expected for k in rows),
            "checked_in": sum(k.checked_in for k in rows),
            "kinds": [k.__dict__ for k in rows]}


def search_delegates(meeting: Meeting, query: str, limit: int = 20) -> list[Delegate]:
    """Delegates of ``meeting`` whose name, organisation or badge number matches ``query``."""
    words = fold(query).split()
    if not words:
        return []
    delegates = db.session.scalars(
        select(Delegate).where(Delegate.meeting_id == meeting.id)
        .join(Invitation, Delegate.invitation_id == Invitation.id)
        .join(Organisation, Invitation.organisation_id == Organisation.id)
        .options(contains_eager(Delegate.invitation).contains_eager(Invitation.organisation))
        .order_by(Delegate.name_key, Delegate.id)).unique().all()
    found = []
    for delegate in delegates:
        org = delegate.invitation.organisation
        haystack = fold(f"{delegate.title} {delegate.full_name} {org.name} {org.acronym} "
                        f"{delegate.id:05d}")
        if all(word in haystack for word in words):
            found.append(delegate)
            if len(found) >= limit:
                break
    return found


def desk_meetings() -> list[Meeting]:
    """Meetings whose desk is open (open, closed or held), the latest first."""
    return list(db.session.scalars(select(Meeting).where(Meeting.status.in_(DESK_STATUSES))
                                   .order_by(Meeting.starts_at.desc())))
