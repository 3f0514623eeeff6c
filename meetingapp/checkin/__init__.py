"""The check-in desk (check-in operators and staff) and attendance (staff).

The desk answers each scan of a badge's QR code at once, works with and
without JavaScript, and logs every attempt; staff undo mistaken check-ins
and download who attended.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..timezones import utc_to_local, zone_abbreviation

bp = Blueprint("checkin", __name__, url_prefix="/checkin")

# How a check-in was made, as the log shows it.
CHECKIN_METHOD_LABELS = {"scanner": _l("scanner"), "camera": _l("camera"), "search": _l("search")}


@bp.app_template_filter("local_clock")
def local_clock(moment, zone_name: str, fmt: str = "%d %b %H:%M") -> str:
    """A short time in the meeting's zone with its abbreviation: "06 Mar 09:40 EST"."""
    local = utc_to_local(moment, zone_name)
    return f"{local.strftime(fmt)} {zone_abbreviation(local)}" if local else ""


from . import attendance_routes, routes  # noqa: E402,F401
from .attendance import organisation_attendance  # noqa: E402

bp.add_app_template_global(organisation_attendance, "organisation_attendance")
bp.add_app_template_global(CHECKIN_METHOD_LABELS, "CHECKIN_METHOD_LABELS")
