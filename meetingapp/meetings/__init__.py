"""The meetings blueprint: staff create meetings, edit them and move them through their statuses."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


@dataclass(frozen=True)
class DetailSection:
    """A section that another feature adds to a meeting's page."""

    template: str
    # Called with the meeting; returns extra template variables (given as ``section``).
    context: Callable | None = None


# The sections shown on a meeting's page, in the order they were added.
DETAIL_SECTIONS: list[DetailSection] = []


def add_detail_section(template: str, context: Callable | None = None) -> None:
    """Show ``template`` on every meeting's page (invitations, registrations, agenda, ...).

    The template is included with ``meeting`` and ``section`` (what
    ``context(meeting)`` returned, or ``{}``) in its context. Call this once,
    when the feature's package is imported; adding the same template again
    replaces it.
    """
    DETAIL_SECTIONS[:] = [s for s in DETAIL_SECTIONS if s.template != template]
    DETAIL_SECTIONS.append(DetailSection(template, context))


from . import routes  # noqa: E402,F401
