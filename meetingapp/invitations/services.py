"""Inviting organisations to a meeting. Services add and flush; views commit."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.services import apply_changes, record
from ..extensions import db
from ..mail.messages import AddressError, format_addresses
from ..mail.services import queue_message
from ..models import InvitationStatus, Meeting, MeetingStatus, Organisation, utcnow
from ..models.invitation import INVITATION_STATUS_LABELS, UNANSWERED, Invitation
from ..models.meeting import STATUS_LABELS
from ..tokens import new_token
from ..urls import external_url
from .messages import render_message


class InvitationError(ValueError):
    """An invitation operation that breaks a rule; the message says which."""


# Meetings that can no longer receive invitations or reminders.
CLOSED_MEETING_STATUSES = (MeetingStatus.HELD, MeetingStatus.CANCELLED)


@dataclass
class Candidate:
    organisation: Organisation
    email: str | None
    invitation: Invitation | None = None

    @property
    def skip_reason(self) -> str | None:
        if self.invitation is not None:
            return _("already invited (%(status)s)",
                     status=str(INVITATION_STATUS_LABELS[self.invitation.status]).lower())
        if not self.email:
            return _("no focal point with an e-mail address in the directory")
        try:
            format_addresses(self.email)
        except AddressError:
            return _("the focal point's address %(email)s cannot be used for e-mail",
                     email=self.email)
        return None


@dataclass
class InviteResult:
    invited: list[Invitation] = field(default_factory=list)
    skipped: list[Candidate] = field(default_factory=list)


def select_candidates(meeting: Meeting, *, kind: str = "", region: str = "",
                      organisation_ids: list[int] | None = None) -> list[Candidate]:
    """Active organisations matching the selection, each with its invitation if any."""
    query = select(Organisation).where(Organisation.active).order_by(Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    if region:
        query = query.where(Organisation.region == region)
    if organisation_ids is not None:
        query = query.where(Organisation.id.in_(organisation_ids or [-1]))
    organisations = db.session.scalars(query).all()
    existing = {
        inv.organisation_id: inv
        for inv in db.session.scalars(select(Invitation).where(
            Invitation.meeting_id == meeting.id))
    }
    result = []
    for org in organisations:
        focal = org.focal_point
        result.append(Candidate(org, focal.email if focal else None, existing.get(org.id)))
    return result


def _check_meeting_accepts_invitations(meeting: Meeting) -> None:
    if meeting.status in CLOSED_MEETING_STATUSES:
        raise InvitationError(
            _("The meeting is %(status)s: it cannot take invitations any more.",
              status=str(STATUS_LABELS[meeting.status]).lower()))
    if meeting.registration_closes_at <= utcnow():
        raise InvitationError(
            _("The registration deadline of this meeting has passed: move it first "
              "(edit the meeting), or the links would not work."))


def invite(meeting: Meeting, candidates: list[Candidate], *, send: bool) -> InviteResult:
    """Create an invitation for each candidate not yet invited; send them if asked."""
    if send:
        _check_meeting_accepts_invitations(meeting)
    result = InviteResult()
    for candidate in candidates:
        if candidate.skip_reason:
            result.skipped.append(candidate)
            continue
        invitation = Invitation(meeting=meeting, organisation=candidate.organisation,
                                email=candidate.email, status=InvitationStatus.DRAFT)
        db.session.add(invitation)
        db.session.flush()
        record("create", invitation, meeting=meeting,
               changes={"status": [None, InvitationStatus.DRAFT], "email": [None, candidate.email]})
        if send:
            send_invitation(invitation)
        result.invited.append(invitation)
    return result


def _issue_link(invitation: Invitation) -> str:
    token, token_hash = new_token()
    invitation.token_hash = token_hash
    invitation.token_issued_at = utcnow()
    return external_url("portal.invitation", token=token)


def send_invitation(invitation: Invitation, *, kind: str = "invitation") -> None:
    """Queue the invitation (or a reminder) with a fresh personal link.

    The token exists only in the queued message; a new one replaces the old,
    so only the latest e-mail's link works.
    """
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationError(_("This invitation is revoked: it cannot be sent."))
    _check_meeting_accepts_invitations(invitation.meeting)
    link = _issue_link(invitation)
    subject, text, html = render_message(invitation, kind, link)
    try:
        queue_message(invitation.email, subject, text, html, cc=invitation.cc_list,
                      meeting=invitation.meeting, category=kind, related=invitation)
    except AddressError as error:
        raise InvitationError(
            _("The invitation of %(organisation)s cannot be sent: %(error)s Correct the "
              "address on the invitation first.",
              organisation=invitation.organisation.display_name, error=error)) from error
    now = utcnow()
    changes = {}
    if invitation.status == InvitationStatus.DRAFT:
        changes["status"] = [InvitationStatus.DRAFT, InvitationStatus.SENT]
        invitation.status = InvitationStatus.SENT
    if kind == "reminder":
        invitation.reminder_count += 1
        invitation.last_reminded_at = now
    else:
        invitation.sent_at = now
    invitation.last_activity_at = now
    action = {"invitation": "send", "reminder": "remind"}[kind]
    if kind == "invitation" and "status" not in changes:
        action = "resend"
    record(action, invitation, meeting=invitation.meeting, changes=changes)


def remind_unanswered(meeting: Meeting) -> int:
    """Send a reminder to every invitation still waiting for an answer; return how many."""
    _check_meeting_accepts_invitations(meeting)
    pending = db.session.scalars(select(Invitation).where(
        Invitation.meeting_id == meeting.id, Invitation.status.in_(UNANSWERED))).all()
    for invitation in pending:
        send_invitation(invitation, kind="reminder")
    return len(pending)


def revoke(invitation: Invitation) -> None:
    """Withdraw the invitation: its link stops working at once."""
    if invitation.status == InvitationStatus.REVOKED:
        return
    old = invitation.status
    # The hash stays, so that the link answers "withdrawn" rather than "unknown".
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = invitation.last_activity_at = utcnow()
    record("revoke", invitation, meeting=invitation.meeting,
           changes={"status": [old, InvitationStatus.REVOKED]})


def update_invitation(invitation: Invitation, *, email: str, cc: list[str],
                      quota_override: int | None) -> dict:
    """Change the address, the copies and the quota override."""
    changes = apply_changes(invitation, {
        "email": email.strip().lower(),
        "cc": ", ".join(a.strip().lower() for a in cc if a.strip()),
        "quota_override": quota_override,
    })
    if changes:
        invitation.last_activity_at = utcnow()
        record("update", invitation, meeting=invitation.meeting, changes=changes)
    return changes


def counts_by_status(meeting: Meeting) -> dict[str, int]:
    rows = db.session.execute(
        select(Invitation.status, func.count()).where(Invitation.meeting_id == meeting.id)
        .group_by(Invitation.status)).tuples().all()
    return dict(rows)


def counts_by_kind(meeting: Meeting) -> dict[str, dict[str, int]]:
    """``{kind: {status: n}}`` for the overview table."""
    rows = db.session.execute(
        select(Organisation.kind, Invitation.status, func.count())
        .join(Organisation, Invitation.organisation_id == Organisation.id)
        .where(Invitation.meeting_id == meeting.id)
        .group_by(Organisation.kind, Invitation.status)).all()
    table: dict[str, dict[str, int]] = {}
    for kind, status, n in rows:
        table.setdefault(kind, {})[status] = n
    return table
