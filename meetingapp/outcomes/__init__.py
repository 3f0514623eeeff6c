"""Discussion outcomes linked to organisations, followed up across meetings."""

from flask import Blueprint

from ..meetings import add_detail_section

bp = Blueprint("outcomes", __name__, url_prefix="/meetings/<int:meeting_id>/outcomes")


def _meeting_section(meeting) -> dict:
    from .services import filtered_outcomes, meeting_today

    outcomes = filtered_outcomes(meeting)
    today = meeting_today(meeting)
    return {"count": len(outcomes), "open": sum(o.is_open() for o in outcomes),
            "overdue": sum(o.is_overdue(today) for o in outcomes)}


def _organisation_outcomes(organisation) -> dict:
    """What the organisation page's outcome list shows."""
    from .services import meeting_today, outcomes_of_organisation

    outcomes = outcomes_of_organisation(organisation)
    return {"outcomes": outcomes,
            "overdue": {o.id for o in outcomes if o.is_overdue(meeting_today(o.meeting))}}


def _item_outcomes(item) -> list:
    """The outcomes recorded on an agenda item (for the agenda item page)."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models.outcome import Outcome

    return list(db.session.scalars(select(Outcome).where(Outcome.agenda_item_id == item.id)
                                   .order_by(Outcome.id)).all())


add_detail_section("outcomes/_meeting_section.html", _meeting_section)
bp.add_app_template_global(_organisation_outcomes, "organisation_outcomes")
bp.add_app_template_global(_item_outcomes, "item_outcomes")

from . import routes  # noqa: E402,F401
