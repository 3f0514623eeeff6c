"""Queries behind the staff list of registrations and the lists of participants.

The list of participants follows United Nations practice: organisations
grouped by kind (international, regional, sub-regional), in alphabetical
order within each kind, and in each delegation the head first, then
delegates, advisers and observers.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Invitation, InvitationStatus, Meeting, Organisation, RegistrationStatus, utcnow
from ..models.organisation import ORGANISATION_KINDS
from ..models.registration import DELEGATE_ROLE_HEADINGS, DELEGATE_ROLES, Delegate
from ..names import sort_key
from ..text import fold

KIND_HEADINGS = {
    "international": _l("International organizations"),
    "regional": _l("Regional organizations"),
    "sub-regional": _l("Sub-regional organizations"),
}


def registrations_query(meeting: Meeting, *, status: str = "", kind: str = "",
                        organisation: str = "", role: str = "") -> Select:
    """Registrations of ``meeting`` matching the filters, in the list-of-participants order."""
    query = (select(Delegate)
             .join(Invitation, Delegate.invitation_id == Invitation.id)
             .join(Organisation, Invitation.organisation_id == Organisation.id)
             .where(Delegate.meeting_id == meeting.id)
             .options(contains_eager(Delegate.invitation).contains_eager(Invitation.organisation))
             # The stored copies of the organisation's kind rank and folded name and of
             # the role's rank (meetingapp/models/ordering.py), read from an index.
             .order_by(Delegate.kind_rank, Delegate.organisation_key, Delegate.role_rank,
                       Delegate.name_key, Delegate.id))
    if status:
        query = query.where(Delegate.status == status)
    if kind in ORGANISATION_KINDS:  # the stored copy of the kind's rank: in the index
        query = query.where(Delegate.kind_rank == ORGANISATION_KINDS.index(kind))
    elif kind:
        query = query.where(Organisation.kind == kind)
    if organisation:
        query = query.where(Organisation.id == int(organisation))
    if role in DELEGATE_ROLES:  # the stored copy of the role's rank: in the indexes
        query = query.where(Delegate.role_rank == DELEGATE_ROLES.index(role))
    elif role:
        query = query.where(Delegate.role == role)
    return query


def registrations_count(meeting: Meeting, *, status: str = "", kind: str = "",
                        organisation: str = "", role: str = "") -> int:
    """How many registrations of ``meeting`` match the filters (``registrations_query``'s rows).

    Without the organisation filter or an unknown kind, the joins are left out (every
    registration has an invitation, every invitation an organisation), so that the
    count is read from ix_delegates_meeting_status alone.
    """
    query = select(func.count()).select_from(Delegate).where(Delegate.meeting_id == meeting.id)
    if organisation or (kind and kind not in ORGANISATION_KINDS):
        query = (query.join(Invitation, Delegate.invitation_id == Invitation.id)
                 .join(Organisation, Invitation.organisation_id == Organisation.id))
    if status:
        query = query.where(Delegate.status == status)
    if kind in ORGANISATION_KINDS:
        query = query.where(Delegate.kind_rank == ORGANISATION_KINDS.index(kind))
    elif kind:
        query = query.where(Organisation.kind == kind)
    if organisation:
        query = query.where(Organisation.id == int(organisation))
    if role in DELEGATE_ROLES:
        query = query.where(Delegate.role_rank == DELEGATE_ROLES.index(role))
    elif role:
        query = query.where(Delegate.role == role)
    return db.session.scalar(query)


def participant_order(delegate: Delegate) -> tuple:
    """Sort key of the list of participants, the same on every database."""
    org = delegate.invitation.organisation
    kind = ORGANISATION_KINDS.index(org.kind) if org.kind in ORGANISATION_KINDS else 99
    return (kind, fold(org.name), DELEGATE_ROLES.index(delegate.role),
            delegate.name_key or sort_key(delegate.family_name, delegate.given_name),
            delegate.id)


def ordered_registrations(meeting: Meeting, **filters) -> list[Delegate]:
    """Every registration matching the filters, in the list-of-participants order."""
    delegates = db.session.scalars(registrations_query(meeting, **filters)).unique().all()
    return sorted(delegates, key=participant_order)


@dataclass
class RoleGroup:
    role: str
    heading: str
    delegates: list[Delegate] = field(default_factory=list)


@dataclass
class Delegation:
    organisation: Organisation
    roles: list[RoleGroup] = field(default_factory=list)


@dataclass
class KindGroup:
    kind: str
    heading: str
    delegations: list[Delegation] = field(default_factory=list)


def list_of_participants(meeting: Meeting, *, published: bool = False) -> list[KindGroup]:
    """Approved delegates by kind, organisation and role; published: only those who consented."""
    # An organisation whose invitation was revoked or declined since is not listed.
    delegates = [d for d in ordered_registrations(meeting, status=RegistrationStatus.APPROVED)
                 if d.invitation.status == InvitationStatus.ACCEPTED
                 and (d.consent_to_publish or not published)]
    groups: list[KindGroup] = []
    for delegate in delegates:
        org = delegate.invitation.organisation
        if not groups or groups[-1].kind != org.kind:
            groups.append(KindGroup(org.kind, KIND_HEADINGS.get(org.kind, org.kind)))
        delegations = groups[-1].delegations
        if not delegations or delegations[-1].organisation.id != org.id:
            delegations.append(Delegation(org))
        roles = delegations[-1].roles
        if not roles or roles[-1].role != delegate.role:
            roles.append(RoleGroup(delegate.role, DELEGATE_ROLE_HEADINGS[delegate.role]))
        roles[-1].delegates.append(delegate)
    return groups


def participant_count(groups: list[KindGroup]) -> int:
    """How many people a list of participants names."""
    return sum(len(r.delegates) for g in groups for d in g.delegations for r in d.roles)


def participants_context(meeting: Meeting, *, published: bool) -> dict:
    """What the list-of-participants templates (HTML and PDF) need."""
    groups = list_of_participants(meeting, published=published)
    return {"meeting": meeting, "groups": groups, "published": published,
            "count": participant_count(groups), "generated_at": utcnow()}


# Per worker: meeting id -> (fingerprint of its invited organisations, their choices),
# for the CHOICES_KEPT meetings looked at last.
CHOICES_KEPT = 32
_organisation_choices: dict[int, tuple[tuple, list[tuple[str, str]]]] = {}


def invited_organisations(meeting: Meeting) -> list[tuple[str, str]]:
    """(id, name) of the organisations invited to ``meeting``, by name.

    A meeting may invite a thousand organisations: the list is kept per worker and read
    again only when a one-row fingerprint (invitations' count, largest id and sum of
    organisation ids, the organisations' latest change) differs.
    """
    invited = (select(func.count(Invitation.id), func.max(Invitation.id),
                      func.sum(Invitation.organisation_id), func.max(Organisation.updated_at))
               .join(Organisation, Invitation.organisation_id == Organisation.id)
               .where(Invitation.meeting_id == meeting.id))
    fingerprint = tuple(db.session.execute(invited).one())
    cached = _organisation_choices.get(meeting.id)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(Invitation, Invitation.organisation_id == Organisation.id)
        .where(Invitation.meeting_id == meeting.id).order_by(Organisation.name_key)).all()
    choices = [(str(org_id), name) for org_id, name in rows]
    if len(_organisation_choices) >= CHOICES_KEPT and meeting.id not in _organisation_choices:
        try:  # the oldest meeting kept goes: a bounded cache
            _organisation_choices.pop(next(iter(_organisation_choices)), None)
        except (RuntimeError, StopIteration):  # another thread changed it meanwhile
            pass
    _organisation_choices[meeting.id] = (fingerprint, choices)
    return choices
