"""What a representative can do through the personal link. Flush only."""

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import hooks
from ..audit.services import record
from ..extensions import db
from ..links import LinkGone, LinkUnknown
from ..models import InvitationStatus, MeetingStatus, utcnow
from ..models.invitation import Invitation
from ..models.registration import ACTIVE_STATUSES, Delegate
from ..registrations.services import deadline_passed
from ..tokens import find_by_token


def find_invitation(token: str) -> Invitation:
    """The invitation this token opens; the lookup costs the same whether it exists or not."""
    invitation = find_by_token(
        select(Invitation).options(joinedload(Invitation.meeting),
                                   joinedload(Invitation.organisation)),
        Invitation.token_hash, token)
    if invitation is None:
        raise LinkUnknown()
    if invitation.status == InvitationStatus.REVOKED:
        raise LinkGone(_("This invitation has been withdrawn by the secretariat."))
    if invitation.meeting.status == MeetingStatus.CANCELLED:
        raise LinkGone(_("This meeting has been cancelled."))
    # After the deadline an organisation that accepted can still read its page
    # (read-only); for the others the link has expired.
    if deadline_passed(invitation) and invitation.status != InvitationStatus.ACCEPTED:
        raise LinkGone(_("The deadline for answering this invitation has passed."))
    return invitation


def actor_label(invitation: Invitation) -> str:
    return f"representative of {invitation.organisation.acronym or invitation.organisation.name}"


def record_view(invitation: Invitation) -> None:
    """First opening of a sent invitation marks it viewed."""
    now = utcnow()
    if invitation.status == InvitationStatus.SENT:
        invitation.status = InvitationStatus.VIEWED
        invitation.viewed_at = now
        record("view", invitation, meeting=invitation.meeting, actor=actor_label(invitation),
               changes={"status": [InvitationStatus.SENT, InvitationStatus.VIEWED]})
    invitation.last_activity_at = now


def _active_delegates(invitation: Invitation) -> int:
    """Delegates of this invitation still pending or approved."""
    return db.session.scalar(select(func.count()).select_from(Delegate).where(
        Delegate.invitation_id == invitation.id, Delegate.status.in_(ACTIVE_STATUSES))) or 0


class ResponseRefused(ValueError):
    """The answer cannot be taken (deadline passed, revoked)."""


def respond(invitation: Invitation, *, accept: bool, reason: str = "") -> bool:
    """Accept or decline; the representative may change their mind until the deadline.

    Returns False when the answer changes nothing (e.g. a double-submitted form).
    """
    if deadline_passed(invitation):
        raise ResponseRefused(_("The deadline for answering has passed. Please write to the "
                                "secretariat if your organisation still wishes to attend."))
    if not accept:
        registered = _active_delegates(invitation)
        if registered:
            raise ResponseRefused(ngettext(
                "Your delegation still has %(num)d registered delegate(s). Please withdraw "
                "them first, then decline: they would otherwise keep their places.",
                "Your delegation still has %(num)d registered delegate(s). Please withdraw "
                "them first, then decline: they would otherwise keep their places.",
                registered))
    new_status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    reason = "" if accept else reason.strip()
    if invitation.status == new_status and invitation.decline_reason == reason:
        return False
    changes: dict[str, list] = {"status": [invitation.status, new_status]}
    if reason != invitation.decline_reason:
        changes["decline_reason"] = [invitation.decline_reason, reason]
    invitation.status = new_status
    invitation.decline_reason = reason
    invitation.responded_at = invitation.last_activity_at = utcnow()
    hooks.invitation_answered.send(invitation, accepted=accept)
    record("accept" if accept else "decline", invitation, meeting=invitation.meeting,
           actor=actor_label(invitation), changes=changes)
    return True
