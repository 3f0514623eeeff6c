"""Staff account management (administrators only)."""

from flask import Flask

from .routes import bp


def register(app: Flask) -> None:
    """The user management pages."""
    app.register_blueprint(bp)
