"""Outcomes: record, edit, follow up and carry over. Services add and flush; views commit."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..audit.services import apply_changes, record
from ..extensions import db
from ..models import Meeting, Organisation, OutcomeStatus, utcnow
from ..models.agenda import AgendaItem
from ..models.outcome import (
    FOLLOWED_KINDS,
    OUTCOME_KINDS,
    OUTCOME_STATUSES,
    Outcome,
    OutcomeNote,
    outcome_organisations,
)
from ..timezones import utc_to_local


class OutcomeError(ValueError):
    """The outcome cannot be saved as asked; the message says why."""


def meeting_today(meeting: Meeting) -> date:
    """Today's date in the meeting's time zone (due dates are dates there)."""
    return utc_to_local(utcnow(), meeting.timezone).date()


def _check(meeting: Meeting, details: dict) -> None:
    if details["kind"] not in OUTCOME_KINDS:
        raise OutcomeError(_("Choose a kind of outcome."))
    if not (details.get("text") or "").strip():
        raise OutcomeError(_("Write the text of the outcome."))
    item_id = details.get("agenda_item_id")
    if item_id:
        item = db.session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting.id:
            raise OutcomeError(_("That agenda item is not on this meeting's agenda."))
    if details["kind"] not in FOLLOWED_KINDS:
        details["owner_id"] = None
        details["due_on"] = None
        details["due_note"] = ""


def _organisations(ids) -> list[Organisation]:
    ids = {int(i) for i in ids or []}
    if not ids:
        return []
    found = db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))).all()
    if len(found) != len(ids):
        raise OutcomeError(_("An organisation chosen no longer exists."))
    return list(found)


def create_outcome(meeting: Meeting, details: dict, organisation_ids=()) -> Outcome:
    """Add an outcome to ``meeting`` (audited)."""
    details = dict(details)
    _check(meeting, details)
    outcome = Outcome(meeting_id=meeting.id, status=OutcomeStatus.OPEN, **details)
    outcome.organisations = _organisations(organisation_ids)
    if outcome.owner_id and outcome.owner_id not in {o.id for o in outcome.organisations}:
        outcome.organisations.append(db.session.get_one(Organisation, outcome.owner_id))
    db.session.add(outcome)
    db.session.flush()
    record("create", outcome, meeting=meeting, changes={"kind": outcome.kind})
    return outcome


def update_outcome(outcome: Outcome, details: dict, organisation_ids=()) -> dict:
    """Change an outcome's fields and organisations (audited); returns the changes."""
    details = dict(details)
    _check(outcome.meeting, details)
    changes = apply_changes(outcome, details)
    orgs = _organisations(organisation_ids)
    if outcome.owner_id and outcome.owner_id not in {o.id for o in orgs}:
        orgs.append(db.session.get_one(Organisation, outcome.owner_id))
    before = sorted(o.id for o in outcome.organisations)
    after = sorted(o.id for o in orgs)
    if before != after:
        outcome.organisations = orgs
        changes["organisations"] = [before, after]
    db.session.flush()
    if changes:
        record("update", outcome, meeting=outcome.meeting, changes=changes)
    return changes


def change_status(outcome: Outcome, status: str | None, comment: str = "", *,
                  actor: str = "") -> OutcomeNote:
    """A staff entry in the history: a new status and/or a comment (audited)."""
    if status and status not in OUTCOME_STATUSES:
        raise OutcomeError(_("Choose a known status."))
    if status and not outcome.followed:
        raise OutcomeError(_("Only commitments and action items have a status."))
    status = OutcomeStatus(status) if status and status != outcome.status else None
    if status is None and not comment.strip():
        raise OutcomeError(_("Choose a new status or write a comment."))
    note = OutcomeNote(outcome=outcome, source="staff", review="accepted", actor=actor,
                       status_from=outcome.status if status else None, status_to=status,
                       comment=comment.strip(), created_at=utcnow(), reviewed_at=utcnow())
    db.session.add(note)
    if status:
        outcome.status = status
    db.session.flush()
    record("status" if status else "comment", outcome, meeting=outcome.meeting,
           changes={"status": [note.status_from, status]} if status else {"comment": comment})
    return note


def report_progress(outcome: Outcome, organisation: Organisation, comment: str,
                    status: str | None, *, actor: str) -> OutcomeNote:
    """A representative's progress note, waiting for staff to accept it (audited)."""
    if outcome.owner_id != organisation.id and organisation not in outcome.organisations:
        raise OutcomeError(_("This commitment is not your organisation's."))
    if not outcome.followed:
        raise OutcomeError(_("Progress is reported on commitments and action items only."))
    if status and status not in OUTCOME_STATUSES:
        raise OutcomeError(_("Choose a known status."))
    if not comment.strip():
        raise OutcomeError(_("Describe the progress made."))
    note = OutcomeNote(outcome=outcome, organisation_id=organisation.id, source="representative",
                       review="pending", status_to=status or None, comment=comment.strip(),
                       actor=actor, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    record("report_progress", outcome, meeting=outcome.meeting, actor=actor,
           changes={"status": status, "comment": comment.strip()})
    return note


def review_progress(note: OutcomeNote, accept: bool) -> None:
    """Accept (applying its status) or reject a representative's progress note (audited)."""
    if note.review != "pending":
        raise OutcomeError(_("This progress note was already reviewed."))
    note.review = "accepted" if accept else "rejected"
    note.reviewed_at = utcnow()
    outcome = note.outcome
    if accept and note.status_to and note.status_to != outcome.status:
        note.status_from = outcome.status
        outcome.status = note.status_to
    db.session.flush()
    record("accept_progress" if accept else "reject_progress", outcome, meeting=outcome.meeting,
           changes={"note": note.id, "status": [note.status_from, outcome.status]})


def filtered_outcomes(meeting: Meeting, *, kind="", status="", organisation_id=None,
                      overdue=False) -> list[Outcome]:
    """The meeting's outcomes, filtered as the overview asks."""
    query = select(Outcome).where(Outcome.meeting_id == meeting.id)
    if kind:
        query = query.where(Outcome.kind == kind)
    if status:
        query = query.where(Outcome.status == status, Outcome.kind.in_(FOLLOWED_KINDS))
    if organisation_id:
        linked = select(outcome_organisations.c.outcome_id).where(
            outcome_organisations.c.organisation_id == organisation_id)
        query = query.where(or_(Outcome.id.in_(linked), Outcome.owner_id == organisation_id))
    outcomes = db.session.scalars(query.options(
        selectinload(Outcome.organisations), selectinload(Outcome.owner))
        .order_by(Outcome.kind, Outcome.id)).all()
    if overdue:
        today = meeting_today(meeting)
        outcomes = [o for o in outcomes if o.is_overdue(today)]
    return list(outcomes)


def outcomes_of_organisation(organisation: Organisation) -> list[Outcome]:
    """Every outcome concerning ``organisation``, across meetings, newest first."""
    linked = select(outcome_organisations.c.outcome_id).where(
        outcome_organisations.c.organisation_id == organisation.id)
    query = (select(Outcome).join(Meeting, Meeting.id == Outcome.meeting_id)
             .where(or_(Outcome.id.in_(linked), Outcome.owner_id == organisation.id))
             .order_by(Meeting.starts_at.desc(), Outcome.created_at.desc(), Outcome.id.desc()))
    return list(db.session.scalars(query).all())


def open_commitments_before(meeting: Meeting) -> list[Outcome]:
    """Open commitments and action items of earlier meetings, not yet carried into this one."""
    carried = select(Outcome.carried_from_id).where(Outcome.meeting_id == meeting.id,
                                                    Outcome.carried_from_id.is_not(None))
    query = (select(Outcome).join(Meeting, Meeting.id == Outcome.meeting_id)
             .where(Meeting.starts_at < meeting.starts_at, Outcome.kind.in_(FOLLOWED_KINDS),
                    Outcome.status.in_((OutcomeStatus.OPEN, OutcomeStatus.IN_PROGRESS)),
                    Outcome.id.not_in(carried))
             .order_by(Meeting.starts_at, Outcome.id))
    return list(db.session.scalars(query).all())


def carry_over(source: Outcome, meeting: Meeting) -> Outcome:
    """Copy an open commitment of an earlier meeting into ``meeting``, linked to it (audited)."""
    if source.meeting_id == meeting.id or source.meeting.starts_at >= meeting.starts_at:
        raise OutcomeError(_("Only commitments of earlier meetings can be carried over."))
    if not source.is_open():
        raise OutcomeError(_("Only open commitments can be carried over."))
    exists = db.session.scalar(select(Outcome.id).where(
        Outcome.meeting_id == meeting.id, Outcome.carried_from_id == source.id))
    if exists:
        raise OutcomeError(_("This commitment is already carried into this meeting."))
    copy = Outcome(meeting_id=meeting.id, kind=source.kind, text=source.text,
                   owner_id=source.owner_id, due_on=source.due_on, due_note=source.due_note,
                   status=source.status, carried_from_id=source.id,
                   organisations=list(source.organisations))
    db.session.add(copy)
    db.session.flush()
    record("carry_over", copy, meeting=meeting, changes={"from_outcome": source.id})
    return copy


def pending_notes(meeting: Meeting) -> list[OutcomeNote]:
    """Representatives' progress notes on the meeting's outcomes awaiting review."""
    return list(db.session.scalars(
        select(OutcomeNote).join(Outcome).where(Outcome.meeting_id == meeting.id,
                                                OutcomeNote.review == "pending")
        .order_by(OutcomeNote.created_at)).all())
