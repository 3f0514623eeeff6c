"""The delegate's own page, reached through the personal link of the approval e-mail.

Later features (the programme, the badge QR code, calendar invitations) add their part of
the page at ``hooks.DELEGATE_PAGE``.
"""

from flask import Flask

from .routes import bp


def register(app: Flask) -> None:
    """The delegate's pages."""
    app.register_blueprint(bp)
