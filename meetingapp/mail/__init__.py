"""E-mail through an outbox: queued with the change, delivered after commit."""

from flask import Flask

from . import dispatch
from .messages import html_paragraphs
from .routes import bp


def register(app: Flask) -> None:
    """The outbox pages, delivery after each request, ``{{ note|paragraphs }}``."""
    app.register_blueprint(bp)
    app.after_request(dispatch.after_request)
    # {{ note|paragraphs }}: staff-written text as escaped HTML paragraphs.
    app.add_template_filter(html_paragraphs, "paragraphs")
