"""Registering delegates through an invitation, and the secretariat's decisions.

Services add and flush; the view commits. Every place in a delegation is
counted and taken while the invitation row is locked (``SELECT ... FOR
UPDATE`` on PostgreSQL; on SQLite every transaction starts ``BEGIN
IMMEDIATE``), so parallel submissions cannot exceed the quota. The schema has
the last word on "one head of delegation" and "one registration per e-mail
address per meeting": a constraint broken by a parallel request becomes the
same clear message as the check before it.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import hooks
from ..audit.services import apply_changes, record
from ..extensions import db
from ..i18n import in_language
from ..models import (
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    RegistrationStatus,
    utcnow,
)
from ..models.invitation import INVITATION_STATUS_LABELS
from ..models.registration import (
    ACTIVE_STATUSES,
    ATTENDANCE_MODES,
    DELEGATE_ROLES,
    LANGUAGES,
    REGISTRATION_STATUS_LABELS,
    Delegate,
)
from ..names import NAME_ORDERS, default_name_order
from ..timezones import format_local
from .choices import is_country
from .errors import RegistrationError
from .notify import send_approval, send_rejection, send_withdrawal

# Changing one of these after approval sends the registration back for approval.
IDENTITY_FIELDS = ("given_name", "family_name", "role", "email_key")
TEXT_FIELDS = ("title", "given_name", "family_name", "position", "email", "phone", "needs")
# Meeting statuses in which delegations can no longer be changed.
CLOSED_MEETING_STATUSES = (MeetingStatus.CLOSED, MeetingStatus.HELD, MeetingStatus.CANCELLED)


def _secretariat() -> str:
    return current_app.config["SECRETARIAT_EMAIL"]


def deadline_passed(invitation: Invitation) -> bool:
    """Whether the meeting's registration deadline has passed (the portal's rule too)."""
    return utcnow() >= invitation.meeting.registration_closes_at


def why_closed(invitation: Invitation) -> str | None:
    """Why the delegation cannot be changed now, or None while registration is open."""
    meeting = invitation.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        return _("This meeting has been cancelled.")
    if meeting.status in CLOSED_MEETING_STATUSES and not deadline_passed(invitation):
        return _("The secretariat has closed registration for this meeting: the delegation "
                 "can no longer be changed here. Please write to %(email)s if something "
                 "must change.", email=_secretariat())
    if meeting.status in CLOSED_MEETING_STATUSES or deadline_passed(invitation):
        closed_at = format_local(meeting.registration_closes_at, meeting.timezone)
        return _("Registration closed on %(closed_at)s: the delegation can no longer be "
                 "changed here. Please write to the secretariat at %(email)s if something "
                 "must change.", closed_at=closed_at, email=_secretariat())
    if utcnow() < meeting.registration_opens_at:
        opens_at = format_local(meeting.registration_opens_at, meeting.timezone)
        return _("Registration opens on %(opens_at)s. Please come back then.", opens_at=opens_at)
    return None


def check_can_register(invitation: Invitation) -> None:
    """Refuse unless the invitation is accepted and registration is open."""
    if invitation.status != InvitationStatus.ACCEPTED:
        raise RegistrationError(_("Your organisation has not accepted the invitation. Accept "
                                  "it first; then you can register the delegation."))
    reason = why_closed(invitation)
    if reason:
        raise RegistrationError(reason)


def lock_invitation(invitation: Invitation) -> Invitation:
    """Lock the invitation's row until the transaction ends, reading it afresh."""
    return db.session.scalars(
        select(Invitation).where(Invitation.id == invitation.id).with_for_update()
        .execution_options(populate_existing=True)).one()


def active_count(invitation: Invitation) -> int:
    """Places taken in the delegation: registrations pending or approved."""
    return db.session.scalar(select(func.count()).select_from(Delegate).where(
        Delegate.invitation_id == invitation.id, Delegate.status.in_(ACTIVE_STATUSES))) or 0


# What to say when a choice is not one of the list.
CHOOSE_FROM_LIST = {
    "role": _l("Choose the role from the list."),
    "language": _l("Choose the language from the list."),
    "attendance": _l("Choose the attendance from the list."),
}


def _clean(details: dict) -> dict:
    values = {k: (details.get(k) or "").strip() for k in TEXT_FIELDS}
    values["email_key"] = values["email"].lower()
    values["nationality"] = (details.get("nationality") or "").strip().upper()
    for name, allowed in (("role", DELEGATE_ROLES), ("language", LANGUAGES),
                          ("attendance", ATTENDANCE_MODES)):
        values[name] = details.get(name) or ""
        if values[name] not in allowed:
            raise RegistrationError(str(CHOOSE_FROM_LIST[name]))
    if not values["family_name"]:
        raise RegistrationError(_("The family name is needed."))
    values["name_order"] = details.get("name_order") or default_name_order(
        values["given_name"], values["family_name"])
    if values["name_order"] not in NAME_ORDERS:
        raise RegistrationError(_("Choose the order of the names from the list."))
    if "@" not in values["email"]:
        raise RegistrationError(_("A valid e-mail address is needed."))
    if not is_country(values["nationality"]):
        raise RegistrationError(_("Choose the nationality from the list of countries."))
    values["consent_to_publish"] = bool(details.get("consent_to_publish"))
    return values


def _check_quota(invitation: Invitation) -> None:
    quota = invitation.quota
    if active_count(invitation) >= quota:
        raise RegistrationError(
            _("Your delegation is full: all %(quota)s places are taken. To register someone "
              "else, withdraw a delegate first, or ask the secretariat whether your "
              "organisation can have more places (%(email)s).",
              quota=quota, email=_secretariat()))


def _head_message(head: Delegate | None) -> str:
    if head is not None:
        return _("Your delegation already has a head of delegation (%(name)s). A delegation "
                 "has only one: choose another role, or first change the role of the current "
                 "head.", name=head.display_name)
    return _("Your delegation already has a head of delegation. A delegation has only one: "
             "choose another role, or first change the role of the current head.")


def _check_head(invitation: Invitation, exclude_id: int | None = None) -> None:
    query = select(Delegate).where(Delegate.invitation_id == invitation.id,
                                   Delegate.role == "head",
                                   Delegate.status.in_(ACTIVE_STATUSES))
    if exclude_id is not None:
        query = query.where(Delegate.id != exclude_id)
    head = db.session.scalars(query).first()
    if head is not None:
        raise RegistrationError(_head_message(head))


EMAIL_TAKEN_ELSEWHERE = _l(
    "This e-mail address is already registered for this meeting, by another organisation. "
    "Each person can be registered only once per meeting; if this is a mistake, please write "
    "to the secretariat.")


def _check_email(invitation: Invitation, email_key: str, exclude_id: int | None = None) -> None:
    query = select(Delegate).where(Delegate.meeting_id == invitation.meeting_id,
                                   Delegate.email_key == email_key,
                                   Delegate.status != RegistrationStatus.WITHDRAWN)
    if exclude_id is not None:
        query = query.where(Delegate.id != exclude_id)
    other = db.session.scalars(query).first()
    if other is None:
        return
    if other.invitation_id == invitation.id:
        raise RegistrationError(
            _("This e-mail address is already used by %(name)s in your delegation. Each "
              "person can be registered only once; give each delegate their own address.",
              name=other.display_name))
    raise RegistrationError(str(EMAIL_TAKEN_ELSEWHERE))


def _explain(error: IntegrityError) -> str:
    message = str(error.orig)
    if "email" in message:
        return str(EMAIL_TAKEN_ELSEWHERE)
    if "one_head" in message or "delegates.invitation_id" in message:
        return _head_message(None)
    return _("The registration could not be saved because it conflicts with a change made "
             "at the same moment. Please reload the page and try again.")


@contextmanager
def _savepoint():
    """Run the block and flush inside a SAVEPOINT; a broken constraint becomes a message."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as error:
        raise RegistrationError(_explain(error)) from error


def _check_belongs(invitation: Invitation, delegate: Delegate) -> None:
    if delegate.invitation_id != invitation.id:
        raise LookupError("This registration does not belong to this invitation.")


def _summary(delegate: Delegate) -> dict:
    with in_language("en"):  # the audit log is in English, whatever the actor reads
        name = delegate.display_name
    return {"status": [None, delegate.status], "role": [None, delegate.role],
            "name": [None, name], "email": [None, delegate.email]}


def register_delegate(invitation: Invitation, details: dict, *, actor: str) -> Delegate:
    """Add a pending delegate to the delegation, within its quota (locks the invitation)."""
    invitation = lock_invitation(invitation)
    check_can_register(invitation)
    values = _clean(details)
    _check_quota(invitation)
    if values["role"] == "head":
        _check_head(invitation)
    _check_email(invitation, values["email_key"])
    delegate = Delegate(meeting_id=invitation.meeting_id, invitation_id=invitation.id,
                        status=RegistrationStatus.PENDING, **values)
    with _savepoint():
        db.session.add(delegate)
    record("register", delegate, meeting=invitation.meeting, actor=actor,
           changes=_summary(delegate))
    return delegate


def update_delegate(invitation: Invitation, delegate: Delegate, details: dict, *,
                    actor: str) -> dict:
    """Change a delegate; a new name, role or address after approval needs approval again."""
    _check_belongs(invitation, delegate)
    invitation = lock_invitation(invitation)
    check_can_register(invitation)
    if not delegate.active:
        raise RegistrationError(
            _("This registration is %(status)s: it can no longer be changed. Please write to "
              "the secretariat if needed.",
              status=str(REGISTRATION_STATUS_LABELS[delegate.status]).lower()))
    values = _clean(details)
    if values["role"] == "head" and delegate.role != "head":
        _check_head(invitation, exclude_id=delegate.id)
    if values["email_key"] != delegate.email_key:
        _check_email(invitation, values["email_key"], exclude_id=delegate.id)
    with _savepoint():
        changes = apply_changes(delegate, values)
        if delegate.status == RegistrationStatus.APPROVED \
                and any(f in changes for f in IDENTITY_FIELDS):
            changes["status"] = [RegistrationStatus.APPROVED, RegistrationStatus.PENDING]
            delegate.status = RegistrationStatus.PENDING
        if "email_key" in changes:
            # The personal link went to the old address: it stops working.
            delegate.token_hash = delegate.token_issued_at = None
    if changes:
        record("update", delegate, meeting=invitation.meeting, actor=actor, changes=changes)
        hooks.delegate_changed.send(delegate, changes=changes)
    return changes


def withdraw_delegate(invitation: Invitation, delegate: Delegate, *, actor: str) -> bool:
    """Withdraw a delegate from the delegation and tell them by e-mail; False if already done."""
    _check_belongs(invitation, delegate)
    invitation = lock_invitation(invitation)
    reason = why_closed(invitation)
    if reason:
        raise RegistrationError(reason)
    if delegate.status == RegistrationStatus.WITHDRAWN:
        return False
    if not delegate.active:
        raise RegistrationError(_("This registration was not approved: there is nothing to "
                                  "withdraw."))
    old = delegate.status
    delegate.status = RegistrationStatus.WITHDRAWN
    delegate.withdrawn_at = utcnow()
    db.session.flush()
    hooks.delegate_withdrawn.send(delegate, by="organisation",
                                  was_approved=old == RegistrationStatus.APPROVED)
    send_withdrawal(delegate)
    record("withdraw", delegate, meeting=invitation.meeting, actor=actor,
           changes={"status": [old, RegistrationStatus.WITHDRAWN]})
    return True


def _decider():
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _check_decidable(delegate: Delegate) -> None:
    if delegate.status == RegistrationStatus.WITHDRAWN:
        raise RegistrationError(_("%(name)s was withdrawn by their organisation: there is "
                                  "nothing to decide.", name=delegate.display_name))
    if delegate.invitation.status != InvitationStatus.ACCEPTED:
        # Revoked by the secretariat, or declined by the organisation after registering.
        raise RegistrationError(_("The invitation of %(name)s's organisation is %(status)s, "
                                  "no longer accepted.", name=delegate.display_name,
                                  status=str(INVITATION_STATUS_LABELS[
                                      delegate.invitation.status]).lower()))
    if delegate.meeting.status == MeetingStatus.CANCELLED:
        raise RegistrationError(_("The meeting has been cancelled."))


def approve(delegate: Delegate) -> bool:
    """Approve and e-mail the delegate their personal link; False if already approved."""
    if delegate.status == RegistrationStatus.APPROVED:
        return False
    _check_decidable(delegate)
    old = delegate.status
    if old == RegistrationStatus.REJECTED:
        # Back in the delegation: it takes a place again, so the rules apply again.
        invitation = lock_invitation(delegate.invitation)
        _check_quota(invitation)
        if delegate.role == "head":
            _check_head(invitation, exclude_id=delegate.id)
    with _savepoint():
        delegate.status = RegistrationStatus.APPROVED
        delegate.decision_reason = ""
        delegate.decided_at = utcnow()
        delegate.decided_by = _decider()
    hooks.delegate_approved.send(delegate)
    send_approval(delegate)
    record("approve", delegate, meeting=delegate.meeting,
           changes={"status": [old, RegistrationStatus.APPROVED]})
    return True


def reject(delegate: Delegate, reason: str) -> bool:
    """Refuse with a reason the delegate is told by e-mail; False if nothing changes."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_("Give the reason for not approving: the delegate will "
                                  "read it."))
    if delegate.status == RegistrationStatus.REJECTED and delegate.decision_reason == reason:
        return False
    _check_decidable(delegate)
    was_approved = delegate.status == RegistrationStatus.APPROVED
    changes = {"status": [delegate.status, RegistrationStatus.REJECTED],
               "decision_reason": [delegate.decision_reason, reason]}
    delegate.status = RegistrationStatus.REJECTED
    delegate.decision_reason = reason
    delegate.decided_at = utcnow()
    delegate.decided_by = _decider()
    db.session.flush()
    if was_approved:
        hooks.delegate_withdrawn.send(delegate, by="staff", was_approved=True)
    send_rejection(delegate)
    record("reject", delegate, meeting=delegate.meeting, changes=changes)
    return True


@dataclass
class BulkResult:
    """What a bulk decision did: the registrations changed, and those skipped with why."""

    changed: list[Delegate] = field(default_factory=list)
    unchanged: list[Delegate] = field(default_factory=list)
    skipped: list[tuple[Delegate, str]] = field(default_factory=list)


def registrations_of(meeting: Meeting, ids) -> list[Delegate]:
    """The registrations of ``meeting`` with these ids; LookupError if any is not one of them."""
    wanted = {int(i) for i in ids}
    delegates = list(db.session.scalars(select(Delegate).where(
        Delegate.meeting_id == meeting.id, Delegate.id.in_(wanted or [-1]))
        .order_by(Delegate.id)))
    if len(delegates) != len(wanted):
        raise LookupError("A registration is not one of this meeting's.")
    return delegates


def decide_many(meeting: Meeting, ids, *, approve_them: bool, reason: str = "") -> BulkResult:
    """Approve or reject several registrations of ``meeting``; each is decided on its own."""
    if not approve_them and not (reason or "").strip():
        raise RegistrationError(_("Give the reason for not approving: the delegates will "
                                  "read it."))
    delegates = registrations_of(meeting, ids)
    if not delegates:
        raise RegistrationError(_("Tick at least one registration."))
    result = BulkResult()
    for delegate in delegates:
        try:
            changed = approve(delegate) if approve_them else reject(delegate, reason)
        except RegistrationError as error:
            result.skipped.append((delegate, str(error)))
        else:
            (result.changed if changed else result.unchanged).append(delegate)
    return result


def counts_by_status(meeting: Meeting) -> dict[str, int]:
    """How many registrations of ``meeting`` are in each status."""
    rows = db.session.execute(
        select(Delegate.status, func.count()).where(Delegate.meeting_id == meeting.id)
        .group_by(Delegate.status)).tuples().all()
    return dict(rows)
