"""Queries behind the staff overview of a meeting's invitations."""

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..models import Meeting, Organisation
from ..models.invitation import Invitation
from ..text import fold


def filtered_invitations(meeting: Meeting, *, status: str = "", kind: str = "",
                         q: str = "") -> Select:
    """Invitations of ``meeting`` matching the filters, by organisation name."""
    query = (select(Invitation).join(Organisation, Invitation.organisation_id == Organisation.id)
             .where(Invitation.meeting_id == meeting.id)
             .options(joinedload(Invitation.organisation), joinedload(Invitation.meeting))
             .order_by(Organisation.name))
    if status:
        query = query.where(Invitation.status == status)
    if kind:
        query = query.where(Organisation.kind == kind)
    if q:
        query = query.where(Organisation.search_key.contains(fold(q), autoescape=True))
    return query
