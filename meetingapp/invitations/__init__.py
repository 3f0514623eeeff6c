"""Staff side of invitations: inviting, reminding, revoking, the overview.

The representative answers through the invitation link (``portal``).
"""

from flask import Flask
from flask_babel import lazy_gettext as _l

from .. import hooks
from .routes import bp
from .services import counts_by_status

# Short names of the statuses, for the staff tables and counts ("3 accepted").
STATUS_NAMES = {
    "draft": _l("Draft"),
    "sent": _l("Sent"),
    "viewed": _l("Viewed"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "revoked": _l("Revoked"),
}


def _meeting_section(meeting) -> dict:
    return {"counts": counts_by_status(meeting)}


def register(app: Flask) -> None:
    """The invitation pages; their counts on the meeting page."""
    app.register_blueprint(bp)
    app.add_template_global(STATUS_NAMES, "INVITATION_STATUS_NAMES")
    hooks.add_section(app, hooks.MEETING_PAGE, "invitations/_meeting_section.html",
                      position=hooks.Position.INVITATIONS, context=_meeting_section)
