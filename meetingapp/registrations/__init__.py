"""Registration of delegates: the staff side (approval, lists of participants, exports).

The representative registers the delegation through the invitation link
(``portal/delegation_routes.py``); each approved delegate gets a page of their own
(``delegates``). The rules and operations live in ``services``; a decision is sent as
``hooks.delegate_approved`` / ``hooks.delegate_withdrawn``, a change as
``hooks.delegate_changed``, and the e-mail about it carries what features add
(``hooks.APPROVAL_EMAIL``, ``hooks.delegate_email_attachments``).
"""

from flask import Flask

from .. import hooks
from ..models.registration import (
    ATTENDANCE_LABELS,
    DELEGATE_ROLE_LABELS,
    LANGUAGE_LABELS,
    REGISTRATION_STATUS_LABELS,
)
from . import list_routes  # noqa: F401  (the list views)
from .choices import country_name
from .routes import bp
from .services import counts_by_status


def _meeting_section(meeting) -> dict:
    return {"counts": counts_by_status(meeting)}


def register(app: Flask) -> None:
    """The registration pages, the labels every template may use, the meeting page's counts."""
    app.register_blueprint(bp)
    # Labels every template may use (portal, delegate page, e-mails, staff pages).
    app.jinja_env.globals.update(
        DELEGATE_ROLE_LABELS=DELEGATE_ROLE_LABELS,
        REGISTRATION_STATUS_LABELS=REGISTRATION_STATUS_LABELS,
        LANGUAGE_LABELS=LANGUAGE_LABELS, ATTENDANCE_LABELS=ATTENDANCE_LABELS)
    app.add_template_filter(country_name, "country_name")
    hooks.add_section(app, hooks.MEETING_PAGE, "registrations/_meeting_section.html",
                      position=hooks.Position.REGISTRATIONS, context=_meeting_section)
