"""Discussion outcomes linked to organisations, followed up across meetings.

Adds the outcomes concerning an organisation to its page, an agenda item's outcomes to the
item's page, and the organisation's commitments (with progress reports) to the invitation
page.
"""

from flask import Flask
from sqlalchemy import select

from .. import hooks
from ..extensions import db
from ..models.outcome import Outcome
from . import portal_routes
from .routes import bp
from .services import meeting_today, outcomes_of_organisation


def _organisation_section(organisation) -> dict:
    """What the organisation page's outcome list shows."""
    outcomes = outcomes_of_organisation(organisation)
    return {"outcomes": outcomes,
            "overdue": {o.id for o in outcomes if o.is_overdue(meeting_today(o.meeting))}}


def _item_section(item) -> dict:
    """The outcomes recorded on an agenda item."""
    return {"outcomes": list(db.session.scalars(
        select(Outcome).where(Outcome.agenda_item_id == item.id).order_by(Outcome.id)).all())}


def register(app: Flask) -> None:
    """The outcome pages and their sections on other features' pages."""
    app.register_blueprint(bp)
    app.register_blueprint(portal_routes.bp)
    hooks.add_section(app, hooks.ORGANISATION_PAGE, "outcomes/_organisation.html",
                      position=hooks.Position.OUTCOMES, context=_organisation_section)
    hooks.add_section(app, hooks.AGENDA_ITEM_PAGE, "outcomes/_agenda_item.html",
                      position=hooks.Position.OUTCOMES, context=_item_section)
    hooks.add_section(app, hooks.PORTAL_PAGE, "outcomes/_portal_section.html",
                      position=hooks.Position.OUTCOMES, context=portal_routes.outcomes_section)
