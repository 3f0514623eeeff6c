"""The chair and speakers of an item: invited organisations, perhaps one of their delegates."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..formtools import is_row_id
from ..models import (
    AgendaItem,
    Delegate,
    Invitation,
    InvitationStatus,
    Meeting,
    Organisation,
    RegistrationStatus,
    Speaker,
)
from ..models.agenda import SPEAKER_ROLE_LABELS, SPEAKER_ROLES
from ..models.registration import ACTIVE_STATUSES, REGISTRATION_STATUS_LABELS
from .errors import AgendaError, flush

# Invitations whose organisation may be given the floor: invited and not declined.
SPEAKING_STATUSES = (InvitationStatus.SENT, InvitationStatus.VIEWED, InvitationStatus.ACCEPTED)


@dataclass
class SpeakerChoice:
    """An organisation that may speak, and its delegates that may be named."""

    organisation: Organisation
    delegates: list[Delegate]


def speaker_choices(meeting: Meeting) -> list[SpeakerChoice]:
    """Invited organisations (not declined or revoked) and their active delegates; two queries."""
    invitations = db.session.execute(
        select(Invitation, Organisation).join(Organisation,
                                              Invitation.organisation_id == Organisation.id)
        .where(Invitation.meeting_id == meeting.id,
               Invitation.status.in_(SPEAKING_STATUSES))
        .order_by(Organisation.name)).all()
    delegates = db.session.scalars(select(Delegate).where(
        Delegate.meeting_id == meeting.id, Delegate.status.in_(ACTIVE_STATUSES))
        .order_by(Delegate.name_key, Delegate.id)).all()
    by_invitation: dict[int, list[Delegate]] = {}
    for delegate in delegates:
        by_invitation.setdefault(delegate.invitation_id, []).append(delegate)
    return [SpeakerChoice(org, by_invitation.get(inv.id, [])) for inv, org in invitations]


def parse_choice(value: str) -> tuple[int | None, int | None]:
    """``"o:<organisation id>"`` or ``"d:<delegate id>"`` from the speaker field."""
    kind, _, ident = (value or "").partition(":")
    if not is_row_id(ident) or kind not in ("o", "d"):
        return None, None
    return (int(ident), None) if kind == "o" else (None, int(ident))


def _invitation(meeting: Meeting, organisation_id: int) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(
        Invitation.meeting_id == meeting.id, Invitation.organisation_id == organisation_id))


def _not_active(delegate: Delegate) -> str:
    """Why this delegate cannot be named: one sentence per registration status."""
    if delegate.status == RegistrationStatus.REJECTED:
        return _("%(delegate)s's registration is rejected: choose someone else.",
                 delegate=delegate.display_name)
    if delegate.status == RegistrationStatus.WITHDRAWN:
        return _("%(delegate)s's registration is withdrawn: choose someone else.",
                 delegate=delegate.display_name)
    return _("%(delegate)s's registration is %(status)s: choose someone else.",
             delegate=delegate.display_name,
             status=str(REGISTRATION_STATUS_LABELS[delegate.status]).lower())


def add_speaker(item: AgendaItem, *, organisation_id: int | None = None,
                delegate_id: int | None = None, role: str = "presenter") -> Speaker:
    """Add the chair or a speaker at the end of the item's list.

    The organisation must be invited to the meeting (the database checks it
    too); a named delegate must belong to its delegation.
    """
    meeting = item.meeting
    if item.cancelled:
        raise AgendaError(_("A cancelled item has no speakers."))
    if role not in SPEAKER_ROLES:
        raise AgendaError({"role": _("Choose chair, presenter or discussant.")})
    delegate = None
    if delegate_id is not None:
        delegate = db.session.get(Delegate, delegate_id)
        if delegate is None or delegate.meeting_id != meeting.id:
            raise AgendaError({"speaker": _("Choose a delegate registered for this meeting.")})
        if delegate.status not in ACTIVE_STATUSES:
            raise AgendaError({"speaker": _not_active(delegate)})
        organisation_id = delegate.invitation.organisation_id
    if organisation_id is None:
        raise AgendaError({"speaker": _("Choose an organisation or one of its delegates.")})
    invitation = _invitation(meeting, organisation_id)
    if invitation is None or invitation.status not in SPEAKING_STATUSES:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise AgendaError({"speaker": _("This organisation is not invited to this meeting "
                                            "(or declined), so it cannot speak.")})
        raise AgendaError({"speaker": _("%(organisation)s is not invited to this meeting "
                                        "(or declined), so it cannot speak.",
                                        organisation=organisation.display_name)})
    for existing in item.speakers:
        if (existing.organisation_id == organisation_id
                and existing.delegate_id == (delegate.id if delegate else None)):
            raise AgendaError({"speaker": _("Already listed as %(speaker)s.",
                                            speaker=existing.display_name)})
    speaker = Speaker(meeting_id=meeting.id, organisation_id=organisation_id,
                      delegate=delegate, role=role,
                      position=max((s.position for s in item.speakers), default=0) + 1)
    item.speakers.append(speaker)
    flush()
    record("add_speaker", item, meeting=meeting,
           changes={"speaker": [None, speaker.display_name]})
    return speaker


def remove_speaker(speaker: Speaker) -> None:
    """Take a speaker off the item's list."""
    item = speaker.item
    label = speaker.display_name
    item.speakers.remove(speaker)
    flush()
    record("remove_speaker", item, meeting=item.meeting, changes={"speaker": [label, None]})


def move_speaker(speaker: Speaker, direction: str) -> None:
    """Swap a speaker with the one before ("up") or after ("down") in the item's list."""
    item = speaker.item
    ordered = sorted(item.speakers, key=lambda s: (s.position, s.id))
    index = ordered.index(speaker)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        raise AgendaError(_("The speaker cannot be moved further."))
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position
    flush()
    record("reorder_speakers", item, meeting=item.meeting,
           changes={"speakers": [None, [s.display_name for s in ordered]]})


def role_label(role: str) -> str:
    """How a speaker's role reads (Chair, Presenter, Discussant)."""
    return SPEAKER_ROLE_LABELS.get(role, role)
