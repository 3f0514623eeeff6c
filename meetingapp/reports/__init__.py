"""The report on the activities of organisations: contributions and the compiled document.

Organisations write their contribution on the invitation page; the meeting page's
"Outcomes and report" section is this feature's (outcomes lie below it).
"""

from flask import Flask

from .. import hooks
from ..outcomes.services import filtered_outcomes, meeting_today
from . import jobs, portal_routes  # noqa: F401  (the compiled report's job kind)
from .routes import bp


def _meeting_section(meeting) -> dict:
    outcomes = filtered_outcomes(meeting)
    today = meeting_today(meeting)
    return {"count": len(outcomes), "open": sum(o.is_open() for o in outcomes),
            "overdue": sum(o.is_overdue(today) for o in outcomes)}


def register(app: Flask) -> None:
    """The report's pages; its sections on the meeting page and the invitation page."""
    app.register_blueprint(bp)
    app.register_blueprint(portal_routes.bp)
    hooks.add_section(app, hooks.MEETING_PAGE, "reports/_meeting_section.html",
                      position=hooks.Position.OUTCOMES, context=_meeting_section)
    hooks.add_section(app, hooks.PORTAL_PAGE, "reports/_portal_section.html",
                      position=hooks.Position.REPORTS, context=portal_routes.report_section)
