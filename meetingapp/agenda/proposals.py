"""Topics proposed and requests for the floor: submitted through the invitation link until
the deadline staff set, then accepted (into an item, or as a speaker) or declined with a
reason. The organisation is told by e-mail and sees the answer on its link."""

from datetime import datetime

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.services import apply_changes, record
from ..extensions import db
from ..formtools import is_row_id
from ..i18n import in_language
from ..mail.services import queue_email
from ..models import (
    AgendaItem,
    AgendaSession,
    AgendaSettings,
    AgendaStatus,
    Delegate,
    Invitation,
    InvitationStatus,
    Meeting,
    Proposal,
    ProposalStatus,
    utcnow,
)
from ..models.agenda import PROPOSAL_STATUS_LABELS
from ..models.registration import ACTIVE_STATUSES
from ..portal.services import actor_label
from ..timezones import NonExistentLocalTime, format_local, local_to_utc
from .errors import AgendaError, flush
from .services import ItemDetails, create_item
from .speakers import add_speaker

LIMITS = {"title": 300, "summary": 5000}


def settings_of(meeting: Meeting) -> AgendaSettings | None:
    """The meeting's agenda settings, if staff saved any."""
    return db.session.scalar(select(AgendaSettings).where(AgendaSettings.meeting_id == meeting.id))


def proposals_deadline(meeting: Meeting) -> datetime | None:
    """Until when organisations may propose topics and ask for the floor (None: not open)."""
    return db.session.scalar(select(AgendaSettings.proposals_close_at).where(
        AgendaSettings.meeting_id == meeting.id))


def set_proposals_deadline(meeting: Meeting, local: datetime | None) -> dict:
    """Open proposals until ``local`` (wall clock in the meeting's zone), or close them (None)."""
    try:
        moment = local_to_utc(local.replace(tzinfo=None), meeting.timezone) if local else None
    except NonExistentLocalTime as error:
        raise AgendaError({"proposals_close_at": str(error)}) from error
    settings = settings_of(meeting)
    if settings is None:
        settings = AgendaSettings(meeting_id=meeting.id)
        db.session.add(settings)
    changes = apply_changes(settings, {"proposals_close_at": moment})
    if changes:
        flush()
        record("set_proposals_deadline", settings, meeting=meeting, changes=changes)
    return changes


_UNREAD = object()


def why_closed(invitation: Invitation, deadline=_UNREAD) -> str | None:
    """Why this organisation cannot propose now, or None when it can.

    ``deadline``: the proposals' deadline if the caller has read it already.
    """
    if invitation.status != InvitationStatus.ACCEPTED:
        return _("Once your organisation has accepted the invitation, you can propose topics "
                 "and ask for the floor here.")
    if deadline is _UNREAD:
        deadline = proposals_deadline(invitation.meeting)
    if deadline is None:
        return _("The secretariat has not opened the agenda for proposals.")
    if utcnow() >= deadline:
        return _("The deadline for proposals has passed (%(deadline)s).",
                 deadline=format_local(deadline, invitation.meeting.timezone))
    return None


def _check_open(invitation: Invitation) -> None:
    reason = why_closed(invitation)
    if reason:
        raise AgendaError(reason)


def _text(values: dict) -> dict:
    errors = {}
    for name, limit in LIMITS.items():
        if name in values:
            values[name] = (values[name] or "").strip()
            if len(values[name]) > limit:
                errors[name] = _("At most %(limit)d characters, please.", limit=limit)
    if "title" in values and not values["title"]:
        errors["title"] = _("Enter a title.")
    if errors:
        raise AgendaError(errors)
    return values


def _delegate(invitation: Invitation, delegate_id) -> Delegate | None:
    if not delegate_id:
        return None
    delegate = db.session.get(Delegate, int(delegate_id))
    if (delegate is None or delegate.invitation_id != invitation.id
            or delegate.status not in ACTIVE_STATUSES):
        raise AgendaError({"delegate_id": _("Choose one of your registered delegates.")})
    return delegate


def speakable_items(meeting: Meeting) -> list[AgendaItem]:
    """Items one may ask the floor on: published, not breaks, not cancelled."""
    return list(db.session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.was_published,
        AgendaItem.kind == "item", AgendaItem.status == AgendaStatus.SCHEDULED)
        .order_by(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)))


def submit_topic(invitation: Invitation, *, title: str, summary: str = "",
                 preferred_session_id=None, delegate_id=None) -> Proposal:
    """The organisation proposes a topic, perhaps for a session and with a speaker in mind."""
    _check_open(invitation)
    values = _text({"title": title, "summary": summary})
    session_id = None
    if preferred_session_id:
        session = db.session.get(AgendaSession, int(preferred_session_id))
        if (session is None or session.meeting_id != invitation.meeting_id
                or not session.was_published or session.cancelled):
            raise AgendaError({"preferred_session_id": _("Choose a session of the programme.")})
        session_id = session.id
    return _add(invitation, "topic", values, preferred_session_id=session_id,
                delegate=_delegate(invitation, delegate_id))


def submit_speak_request(invitation: Invitation, *, item_id, summary: str = "",
                         delegate_id=None) -> Proposal:
    """The organisation asks for the floor on an item of the published programme."""
    _check_open(invitation)
    item = db.session.get(AgendaItem, int(item_id)) if is_row_id(str(item_id or "")) else None
    if item is None or item not in speakable_items(invitation.meeting):
        raise AgendaError({"item_id": _("Choose an item of the published programme.")})
    values = _text({"title": item.title, "summary": summary})
    return _add(invitation, "speak", values, item_id=item.id,
                delegate=_delegate(invitation, delegate_id))


def _actor(invitation: Invitation) -> str:

    return actor_label(invitation)


def _add(invitation: Invitation, kind: str, values: dict, **fields) -> Proposal:
    proposal = Proposal(meeting_id=invitation.meeting_id, invitation_id=invitation.id, kind=kind,
                        status=ProposalStatus.PENDING, **values, **fields)
    db.session.add(proposal)
    flush()
    record("propose", proposal, meeting=invitation.meeting, actor=_actor(invitation),
           changes={k: [None, v] for k, v in values.items()})
    return proposal


def withdraw_proposal(invitation: Invitation, proposal: Proposal) -> None:
    """The organisation takes back a proposal still awaiting an answer."""
    if proposal.invitation_id != invitation.id:
        raise AgendaError(_("This proposal is not your organisation's."))
    if proposal.status != ProposalStatus.PENDING:
        raise AgendaError(_("Only a proposal awaiting an answer can be withdrawn."))
    changes = apply_changes(proposal, {"status": ProposalStatus.WITHDRAWN})
    flush()
    record("withdraw", proposal, meeting=invitation.meeting, actor=_actor(invitation),
           changes=changes)


def proposals_of(invitation: Invitation) -> list[Proposal]:
    """The organisation's proposals for this meeting, newest first."""
    return list(db.session.scalars(select(Proposal).where(
        Proposal.invitation_id == invitation.id)
        .options(selectinload(Proposal.item), selectinload(Proposal.preferred_session))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())))


def proposals_for_staff(meeting: Meeting, status: str = "") -> list[Proposal]:
    """A meeting's proposals (of one status, if given), pending first, oldest first."""
    query = select(Proposal).where(Proposal.meeting_id == meeting.id).options(
        selectinload(Proposal.invitation).selectinload(Invitation.organisation),
        selectinload(Proposal.item), selectinload(Proposal.preferred_session),
        selectinload(Proposal.delegate))
    if status:
        query = query.where(Proposal.status == status)
    proposals = db.session.scalars(query.order_by(Proposal.created_at, Proposal.id)).all()
    return sorted(proposals, key=lambda p: p.status != ProposalStatus.PENDING)


def _already(proposal: Proposal) -> str:
    """Why an answered proposal cannot be answered again: one sentence per status."""
    if proposal.status == ProposalStatus.ACCEPTED:
        return _("This proposal is already accepted.")
    if proposal.status == ProposalStatus.DECLINED:
        return _("This proposal is already declined.")
    if proposal.status == ProposalStatus.WITHDRAWN:
        return _("This proposal is already withdrawn.")
    return _("This proposal is already %(status)s.",
             status=str(PROPOSAL_STATUS_LABELS[proposal.status]).lower())


def _decided(proposal: Proposal, status: ProposalStatus, reason: str = "", **values) -> dict:
    if proposal.status != ProposalStatus.PENDING:
        raise AgendaError(_already(proposal))
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    return apply_changes(proposal, {"status": status, "decision_reason": reason,
                                    "decided_at": utcnow(), "decided_by_id": user_id, **values})


def accept_proposal(proposal: Proposal, *, item_id=None, session_id=None,
                    starts_at: datetime | None = None, ends_at: datetime | None = None,
                    room: str = "", role: str = "presenter") -> AgendaItem:
    """Accept: the organisation becomes a speaker on ``item_id``, or on a new item made from it.

    Without ``item_id`` a new item is created from the proposal's title and
    summary, at ``starts_at``-``ends_at`` (wall clock) in ``session_id``.
    Returns the item; the organisation is told by e-mail.
    """
    meeting = proposal.meeting
    if proposal.status != ProposalStatus.PENDING:
        raise AgendaError(_already(proposal))
    if item_id:
        item = db.session.get(AgendaItem, int(item_id))
        if item is None or item.meeting_id != meeting.id or item.cancelled:
            raise AgendaError({"item_id": _("Choose an item of this meeting's agenda.")})
    else:
        item, _shifted = create_item(meeting, ItemDetails(
            title=proposal.title, description=proposal.summary, starts_at=starts_at,
            ends_at=ends_at, session_id=session_id, room=room))
    delegate = proposal.delegate if proposal.delegate and proposal.delegate.active else None
    speaker = add_speaker(item, organisation_id=proposal.invitation.organisation_id,
                          delegate_id=delegate.id if delegate else None, role=role)
    changes = _decided(proposal, ProposalStatus.ACCEPTED, item_id=item.id, speaker_id=speaker.id)
    flush()
    record("accept", proposal, meeting=meeting, changes=changes)
    _notify(proposal)
    return item


def decline_proposal(proposal: Proposal, reason: str) -> None:
    """Decline, with the reason the organisation will read."""
    reason = (reason or "").strip()
    if not reason:
        raise AgendaError({"reason": _("Give the reason for declining.")})
    changes = _decided(proposal, ProposalStatus.DECLINED, reason[:5000])
    flush()
    record("decline", proposal, meeting=proposal.meeting, changes=changes)
    _notify(proposal)


def _subject(proposal: Proposal) -> str:
    """The answer's subject line, in the language being rendered."""
    if proposal.kind == "topic":
        if proposal.status == ProposalStatus.ACCEPTED:
            return _("Your proposal was accepted: %(title)s", title=proposal.title)
        return _("Your proposal was declined: %(title)s", title=proposal.title)
    if proposal.status == ProposalStatus.ACCEPTED:
        return _("Your request for the floor was accepted: %(title)s", title=proposal.title)
    return _("Your request for the floor was declined: %(title)s", title=proposal.title)


def _notify(proposal: Proposal) -> None:
    invitation = proposal.invitation
    # In the organisation's correspondence language, whatever the page's.
    with in_language(invitation.organisation.language):
        queue_email("agenda_proposal_answer", invitation.email, _subject(proposal),
                    context={"proposal": proposal, "meeting": proposal.meeting,
                             "organisation": invitation.organisation, "item": proposal.item,
                             "accepted": proposal.status == ProposalStatus.ACCEPTED},
                    cc=invitation.cc_list, meeting=proposal.meeting,
                    category="agenda_proposal", related=proposal)
