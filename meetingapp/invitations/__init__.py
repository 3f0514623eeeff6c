"""Staff side of invitations: inviting, reminding, revoking, the overview."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..meetings import add_detail_section

bp = Blueprint("invitations", __name__, url_prefix="/meetings/<int:meeting_id>/invitations")

# Short names of the statuses, for the staff tables and counts ("3 accepted").
STATUS_NAMES = {
    "draft": _l("Draft"),
    "sent": _l("Sent"),
    "viewed": _l("Viewed"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "revoked": _l("Revoked"),
}
bp.add_app_template_global(STATUS_NAMES, "INVITATION_STATUS_NAMES")


def _section(meeting):
    from .services import counts_by_status

    return {"counts": counts_by_status(meeting)}


add_detail_section("invitations/_meeting_section.html", _section)

from . import routes  # noqa: E402,F401
