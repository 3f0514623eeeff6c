"""The representative's portal: everything reached through the invitation link."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/i")


@dataclass(frozen=True)
class PortalSection:
    """A section that another feature adds to the invitation page."""

    template: str
    # Called with the invitation; returns extra template variables (given as ``section``).
    context: Callable | None = None


# The sections shown on the invitation page, in the order they were added.
PORTAL_SECTIONS: list[PortalSection] = []


def add_portal_section(template: str, context: Callable | None = None) -> None:
    """Show ``template`` on the invitation page (delegation, proposed topics, report, ...).

    The template is included inside the page's ``portal_sections`` block with
    the page's context (``invitation``, ``meeting``, ``token``, ``closed``) and
    ``section`` (what ``context(invitation)`` returned, or ``{}``). Adding the
    same template again replaces it.
    """
    PORTAL_SECTIONS[:] = [s for s in PORTAL_SECTIONS if s.template != template]
    PORTAL_SECTIONS.append(PortalSection(template, context))


@bp.context_processor
def _portal_sections():
    def portal_sections(invitation):
        return [(s.template, s.context(invitation) if s.context else {})
                for s in PORTAL_SECTIONS]

    return {"portal_sections": portal_sections}


from . import delegation, proposals, reporting, routes  # noqa: E402,F401
