"""E-mail to delegates about their registration, through the outbox (flush only)."""

from flask import url_for

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


def send_approval(delegate: Delegate) -> None:
    """Queue the approval e-mail: the delegate's own link (a new token) and calendar invite."""
    from ..calendars.invites import approval_attachments

    link = issue_page_link(delegate)
    queue_email("registration_approved", (delegate.display_name, delegate.email),
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
    queue_email("registration_rejected", (delegate.display_name, delegate.email),
                f"Registration not approved: {delegate.meeting.title}",
                context=_context(delegate), cc=delegate.invitation.email,
                meeting=delegate.meeting, category="registration_rejected", related=delegate,
                attachments=_cancellation(delegate))


def send_withdrawal(delegate: Delegate) -> None:
    """Queue the e-mail saying the organisation withdrew the registration (cc the focal point)."""
    queue_email("registration_withdrawn", (delegate.display_name, delegate.email),
                f"Registration withdrawn: {delegate.meeting.title}",
                context=_context(delegate), cc=delegate.invitation.email,
                meeting=delegate.meeting, category="registration_withdrawn", related=delegate,
                attachments=_cancellation(delegate))
