"""The directory of organisations and their contacts (one focal point each).

An organisation's page shows what later features add at ``hooks.ORGANISATION_PAGE``
(outcomes concerning it, attendance at meetings).
"""

from flask import Flask

from .routes import bp


def register(app: Flask) -> None:
    """The directory's pages."""
    app.register_blueprint(bp)
