"""The audit log: recording (``services.record``) and browsing management actions."""

from flask import Flask

from .routes import bp


def register(app: Flask) -> None:
    """The audit log's pages."""
    app.register_blueprint(bp)
