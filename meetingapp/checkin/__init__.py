"""The check-in desk (check-in operators and staff) and attendance (staff).

The desk answers each scan of a badge's QR code at once, works with and
without JavaScript, and logs every attempt; staff undo mistaken check-ins
and download who attended. Each admission is sent as ``hooks.checked_in``.
"""

from flask import Flask
from flask_babel import lazy_gettext as _l

from .. import hooks
from ..timezones import utc_to_local, zone_abbreviation
from . import attendance_routes  # noqa: F401  (the staff views)
from .attendance import organisation_attendance
from .routes import bp, meetings_page
from .services import counters

# How a check-in was made, as the log shows it.
CHECKIN_METHOD_LABELS = {"scanner": _l("scanner"), "camera": _l("camera"), "search": _l("search")}


def local_clock(moment, zone_name: str, fmt: str = "%d %b %H:%M") -> str:
    """A short time in the meeting's zone with its abbreviation: "06 Mar 09:40 EST"."""
    local = utc_to_local(moment, zone_name)
    return f"{local.strftime(fmt)} {zone_abbreviation(local)}" if local else ""


def _meeting_section(meeting) -> dict:
    return {"counters": counters(meeting)}


def _organisation_section(organisation) -> dict:
    return {"rows": organisation_attendance(organisation)}


def register(app: Flask) -> None:
    """The desk and attendance pages (``/desk``: the check-in operators' home), the badges
    and check-in section of the meeting page, attendance on the organisation's page."""
    app.register_blueprint(bp)
    # /desk belongs to the checkin blueprint (its role check applies) without its prefix.
    app.add_url_rule("/desk", "checkin.home", meetings_page)
    app.add_template_filter(local_clock, "local_clock")
    app.add_template_global(CHECKIN_METHOD_LABELS, "CHECKIN_METHOD_LABELS")
    hooks.add_section(app, hooks.MEETING_PAGE, "checkin/_meeting_section.html",
                      position=hooks.Position.BADGES, context=_meeting_section)
    hooks.add_section(app, hooks.ORGANISATION_PAGE, "checkin/_organisation_attendance.html",
                      position=hooks.Position.CHECKIN, context=_organisation_section)
