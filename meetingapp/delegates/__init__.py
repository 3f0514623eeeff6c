"""The delegate's own page, reached through the personal link of the approval e-mail.

Later features (calendar invitations, the badge QR code) add their part of
the page with ``add_page_section``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint

bp = Blueprint("delegates", __name__, url_prefix="/d")


@dataclass(frozen=True)
class PageSection:
    """A section that another feature adds to the delegate's page."""

    template: str
    # Called with the delegate; returns extra template variables (given as ``section``).
    context: Callable | None = None


# The sections shown on the delegate's page, in the order they were added.
PAGE_SECTIONS: list[PageSection] = []


def add_page_section(template: str, context: Callable | None = None) -> None:
    """Show ``template`` on every delegate's page (calendar invitation, badge, ...).

    The template is included inside the page's ``delegate_sections`` block with
    ``delegate``, ``meeting``, ``token`` and ``section`` (what
    ``context(delegate)`` returned, or ``{}``). Adding the same template again
    replaces it.
    """
    PAGE_SECTIONS[:] = [s for s in PAGE_SECTIONS if s.template != template]
    PAGE_SECTIONS.append(PageSection(template, context))


from . import routes  # noqa: E402,F401
