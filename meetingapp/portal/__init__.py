"""The representative's portal: everything reached through the invitation link.

The invitation page shows the answer and the delegation, then what later features add at
``hooks.PORTAL_PAGE`` (the programme and proposals, commitments, the activity report);
their views of the link start from ``routes.opens_invitation``. An answer is sent as
``hooks.invitation_answered``.
"""

from flask import Flask

from .. import hooks
from .delegation_routes import delegation_section
from .routes import bp


def register(app: Flask) -> None:
    """The invitation link's pages; the delegation on the invitation page."""
    app.register_blueprint(bp)
    hooks.add_section(app, hooks.PORTAL_PAGE, "portal/_delegation.html",
                      position=hooks.Position.REGISTRATIONS, context=delegation_section)
