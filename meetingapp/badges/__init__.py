"""Badges with QR codes: the check-in code of each approved delegate, badge PDFs
(one, a selection, every approved delegate) and the QR code on the delegate's
page and in the approval e-mail.

A delegate's code is issued when ``hooks.delegate_approved`` is sent. Other features use
``delegate_qr.delegate_qr(delegate)`` (the code and its QR code in every form) or
``codes.find_code`` (the desk).
"""

from flask import Flask

from .. import hooks
from . import jobs  # noqa: F401  (the badge PDF job kind)
from .codes import issue_code_on_approval
from .delegate_qr import delegate_qr
from .routes import bp


def _qr_section(delegate) -> dict:
    return {"qr": delegate_qr(delegate)}


def register(app: Flask) -> None:
    """The badge pages; the QR code on the delegate's page and in the approval e-mail."""
    app.register_blueprint(bp)
    hooks.delegate_approved.connect(issue_code_on_approval, weak=False)
    hooks.add_section(app, hooks.DELEGATE_PAGE, "badges/_qr_section.html",
                      position=hooks.Position.BADGES, context=_qr_section)
    hooks.add_section(app, hooks.APPROVAL_EMAIL, "badges/_qr_email",
                      position=hooks.Position.BADGES, context=_qr_section)
