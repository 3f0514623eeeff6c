"""E-mail through an outbox: queued with the change, delivered after commit."""

from flask import Blueprint

from . import dispatch
from .messages import html_paragraphs

bp = Blueprint("mail", __name__, url_prefix="/mail")
bp.after_app_request(dispatch.after_request)
# {{ note|paragraphs }}: staff-written text as escaped HTML paragraphs.
bp.add_app_template_filter(html_paragraphs, "paragraphs")

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
