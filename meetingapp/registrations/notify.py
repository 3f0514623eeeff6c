"""E-mail to delegates about their registration, through the outbox (flush only)."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import hooks
from ..i18n import in_language
from ..mail.messages import AddressError
from ..mail.services import queue_email
from ..models import utcnow
from ..models.registration import Delegate
from ..tokens import new_token
from ..urls import external_url
from .errors import RegistrationError


def _context(delegate: Delegate, **extra) -> dict:
    invitation = delegate.invitation
    return {"delegate": delegate, "meeting": delegate.meeting,
            "organisation": invitation.organisation, **extra}


def issue_page_link(delegate: Delegate) -> str:
    """A fresh personal link to the delegate's page; earlier links stop working."""
    token, token_hash = new_token()
    delegate.token_hash = token_hash
    delegate.token_issued_at = utcnow()
    return external_url("delegates.page", token=token)


def _queue(delegate: Delegate, required: bool, template: str, subject, attachments,
           **kwargs) -> None:
    """Queue an e-mail to the delegate, composed in their preferred language (subject, body,
    attachments); an address the outbox cannot use refuses an approval with a clear message
    (in the page's language, for staff), and is logged (not fatal) for a rejection or
    withdrawal."""
    try:
        with in_language(delegate.language):
            queue_email(template, (delegate.display_name, delegate.email), str(subject),
                        attachments=attachments(), **kwargs)
    except AddressError as error:
        if required:
            raise RegistrationError(
                _("No e-mail can be sent to %(email)s: %(error)s Ask the organisation to "
                  "correct the address first.", email=delegate.email, error=error)) from error
        current_app.logger.warning("No e-mail sent about delegate %s: %s", delegate.id, error)


def _attachments(delegate: Delegate, kind: str, link: str | None = None) -> list:
    """What features attach to the e-mail (``hooks.delegate_email_attachments``)."""
    return hooks.values_from_signal(
        hooks.delegate_email_attachments.send(delegate, kind=kind, link=link))


def send_approval(delegate: Delegate) -> None:
    """Queue the approval e-mail: the delegate's own link (a new token), the sections features
    add to it (``hooks.APPROVAL_EMAIL``: the check-in code) and their attachments."""
    link = issue_page_link(delegate)
    # Read once for the HTML and the text parts; each part adds ".html" or ".txt".
    sections = hooks.sections_of(hooks.APPROVAL_EMAIL, delegate)
    _queue(delegate, True, "registration_approved",
           _l("Registration approved: %(meeting)s", meeting=delegate.meeting.title),
           lambda: _attachments(delegate, "approved", link),
           context=_context(delegate, link=link, sections=sections), meeting=delegate.meeting,
           category="registration_approved", related=delegate)


def send_rejection(delegate: Delegate) -> None:
    """Queue the e-mail saying the registration was not approved, and why (cc the focal point)."""
    _queue(delegate, False, "registration_rejected",
           _l("Registration not approved: %(meeting)s", meeting=delegate.meeting.title),
           lambda: _attachments(delegate, "rejected"),
           context=_context(delegate), cc=delegate.invitation.email,
           meeting=delegate.meeting, category="registration_rejected", related=delegate)


def send_withdrawal(delegate: Delegate) -> None:
    """Queue the e-mail saying the organisation withdrew the registration (cc the focal point)."""
    _queue(delegate, False, "registration_withdrawn",
           _l("Registration withdrawn: %(meeting)s", meeting=delegate.meeting.title),
           lambda: _attachments(delegate, "withdrawn"),
           context=_context(delegate), cc=delegate.invitation.email,
           meeting=delegate.meeting, category="registration_withdrawn", related=delegate)
