"""The stored sort keys of the list-of-participants order, kept up to date on every flush.

The staff list of registrations is ordered by the organisation's kind (international,
regional, sub-regional), its folded name, the delegate's role (head first), then the
family and given names. ``Delegate.kind_rank``, ``Delegate.organisation_key`` and
``Delegate.role_rank`` copy the first three so that the index ``ix_delegates_list_order``
serves a page without sorting the whole meeting. A new or changed delegate gets them before it is
written; an organisation whose name or kind changes updates its delegates' copies in
the same flush. ``Delegate.name_key`` (meetingapp/names.py sort_key) follows the names,
and a delegate without a name order gets the one of the script of their name.
"""

from itertools import chain

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from ..names import default_name_order, sort_key
from .invitation import Invitation
from .organisation import ORGANISATION_KINDS, Organisation
from .registration import DELEGATE_ROLES, Delegate


def kind_rank(kind: str | None) -> int:
    return ORGANISATION_KINDS.index(kind) if kind in ORGANISATION_KINDS else len(
        ORGANISATION_KINDS)


def role_rank(role: str | None) -> int:
    return DELEGATE_ROLES.index(role) if role in DELEGATE_ROLES else len(DELEGATE_ROLES)


def sort_keys(organisation: Organisation, role: str) -> dict:
    """The stored sort keys of a delegate of ``organisation`` in ``role``."""
    return {"kind_rank": kind_rank(organisation.kind),
            "organisation_key": organisation.name_key or "", "role_rank": role_rank(role)}


def _organisation_of(session, delegate: Delegate) -> Organisation | None:
    invitation = delegate.invitation
    if invitation is None and delegate.invitation_id is not None:
        invitation = session.get(Invitation, delegate.invitation_id)
    if invitation is None:
        return None
    if invitation.organisation is not None:
        return invitation.organisation
    return session.get(Organisation, invitation.organisation_id)


def _current_keys(session, organisation: Organisation) -> tuple[str, str]:
    """The organisation's kind and name key as committed, its row share-locked.

    On PostgreSQL a rename committed by another request between our read of the
    organisation and our insert would otherwise miss the new delegate (its UPDATE of
    the copies cannot see our uncommitted row): FOR SHARE waits for that rename, or
    makes it wait for us. An organisation changed in this session is read as it is here.
    """
    if organisation.id is None or organisation in session.new or organisation in session.dirty:
        return organisation.kind, organisation.name_key
    row = session.execute(
        select(Organisation.kind, Organisation.name_key)
        .where(Organisation.id == organisation.id).with_for_update(read=True)).one()
    return row.kind, row.name_key


@event.listens_for(Session, "before_flush")
def _keep_sort_keys(session, flush_context, instances) -> None:
    with session.no_autoflush:
        for obj in chain(session.new, session.dirty):
            if isinstance(obj, Delegate):
                state = inspect(obj)
                if obj.id is None or state.attrs.invitation_id.history.has_changes() \
                        or state.attrs.invitation.history.has_changes():
                    organisation = _organisation_of(session, obj)
                    if organisation is not None:
                        kind, name_key = _current_keys(session, organisation)
                        obj.kind_rank = kind_rank(kind)
                        obj.organisation_key = name_key or ""
                if obj.id is None or state.attrs.role.history.has_changes():
                    obj.role_rank = role_rank(obj.role)
                if not obj.name_order:
                    obj.name_order = default_name_order(obj.given_name, obj.family_name)
                if obj.id is None or state.attrs.family_name.history.has_changes() \
                        or state.attrs.given_name.history.has_changes():
                    obj.name_key = sort_key(obj.family_name, obj.given_name)


@event.listens_for(Session, "after_flush")
def _copy_organisation_keys(session, flush_context) -> None:
    changed = [obj for obj in session.dirty if isinstance(obj, Organisation)
               and obj.id is not None
               and (inspect(obj).attrs.name_key.history.has_changes()
                    or inspect(obj).attrs.kind.history.has_changes())]
    for organisation in changed:
        session.connection().execute(
            update(Delegate.__table__)
            .where(Delegate.__table__.c.invitation_id.in_(
                select(Invitation.__table__.c.id)
                .where(Invitation.__table__.c.organisation_id == organisation.id)))
            .values(kind_rank=kind_rank(organisation.kind),
                    organisation_key=organisation.name_key or ""))
