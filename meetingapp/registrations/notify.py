"""E-mail to delegates about their registration, through the outbox (flush only)."""

from flask import current_app, url_for

from ..mail.messages import AddressError
from ..mail.services import queue_email
from ..models import utcnow
from ..models.registration import Delegate
from ..tokens import new_token


def _context(delegate: Delegate, **extra) -> dict:
    invitation = delegate.invitation
    return {"delegate": delegate, "meeting": delegate.meeting,
            "organisation": invitation.organisation, **extra}


def issue_page_link(delegate: Delegate) -> str:
    """A fresh personal link to the delegate's page; earlier links stop working."""
    token, token_hash = new_token()
    delegate.token_hash = token_hash
    delegate.token_issued_at = utcnow()
    return url_for("delegates.page", token=token, _external=True)


def _queue(delegate: Delegate, required: bool, *args, **kwargs) -> None:
    """Queue an e-mail; an address the outbox cannot use refuses an approval with a
    clear message, and is logged (not fatal) for a rejection or withdrawal."""
    try:
        queue_email(*args, **kwargs)
    except AddressError as error:
        if required:
            from .services import RegistrationError

            raise RegistrationError(
                f"No e-mail can be sent to {delegate.email}: {error} Ask the organisation "
                "to correct the address first.") from error
        current_app.logger.warning("No e-mail sent about delegate %s: %s", delegate.id, error)


def send_approval(delegate: Delegate) -> None:
    """Queue the approval e-mail: the delegate's own link (a new token) and calendar invite."""
    from ..calendars.invites import approval_attachments

    link = issue_page_link(delegate)
    _queue(delegate, True, "registration_approved", (delegate.display_name, delegate.email),
                f"Registration approved: {delegate.meeting.title}",
                context=_context(delegate, link=link), meeting=delegate.meeting,
                category="registration_approved", related=delegate,
                attachments=approval_attachments(delegate))


def _cancellation(delegate: Delegate) -> list:
    """METHOD:CANCEL of the calendar invitation, if one was sent (approved before)."""
    from ..calendars.invites import withdrawal_attachments

    return withdrawal_attachments(delegate)


def send_rejection(delegate: Delegate) -> None:
    """Queue the e-mail saying the registration was not approved, and why (cc the focal point)."""
    _queue(delegate, False, "registration_rejected", (delegate.display_name, delegate.email),
                f"Registration not approved: {delegate.meeting.title}",
                context=_context(delegate), cc=delegate.invitation.email,
                meeting=delegate.meeting, category="registration_rejected", related=delegate,
                attachments=_cancellation(delegate))


def send_withdrawal(delegate: Delegate) -> None:
    """Queue the e-mail saying the organisation withdrew the registration (cc the focal point)."""
    _queue(delegate, False, "registration_withdrawn", (delegate.display_name, delegate.email),
                f"Registration withdrawn: {delegate.meeting.title}",
                context=_context(delegate), cc=delegate.invitation.email,
                meeting=delegate.meeting, category="registration_withdrawn", related=delegate,
                attachments=_cancellation(delegate))
