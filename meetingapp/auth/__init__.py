"""Staff sign-in and sign-out (the role checks every blueprint uses are in ``access``)."""

from flask import Flask

from .routes import bp


def register(app: Flask) -> None:
    """The sign-in pages."""
    app.register_blueprint(bp)
