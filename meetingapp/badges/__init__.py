"""Badges with QR codes: the check-in code of each approved delegate, badge PDFs
(one, a selection, every approved delegate) and the QR code on the delegate's
page and in the approval e-mail.

Other features use ``qr_svg(delegate)`` or the template partials
``badges/_qr.html`` (a page), ``badges/_qr_email.html`` and
``badges/_qr_email.txt`` (the approval e-mail).
"""

from flask import Blueprint
from flask_babel import gettext as _
from markupsafe import Markup

from ..delegates import add_page_section
from ..meetings import add_detail_section
from ..models import RegistrationStatus
from ..models.registration import Delegate
from .codes import CodeKeyChanged, badge_number, code_row, current_code, ensure_code, format_code
from .qr import qr_html_table, qr_png, qr_png_data_uri
from .qr import qr_svg as svg_of

bp = Blueprint("badges", __name__, url_prefix="/meetings/<int:meeting_id>/badges")


class DelegateQR:
    """A delegate's current check-in code and its QR code in each form, made when asked."""

    def __init__(self, delegate: Delegate, code: str, number: str):
        self.delegate, self.code, self.number = delegate, code, number

    @property
    def formatted(self) -> str:
        """The code in groups of five, for typing at the desk."""
        return format_code(self.code)

    @property
    def svg(self) -> Markup:
        """Inline SVG (pages)."""
        return svg_of(self.code,
                      label=_("Check-in QR code of badge %(number)s", number=self.number))

    @property
    def png_data_uri(self) -> str:
        """A PNG as a data: URL (a download link)."""
        return qr_png_data_uri(self.code)

    @property
    def table(self) -> Markup:
        """An HTML table of cells (e-mail, where images are blocked)."""
        return qr_html_table(self.code)


def delegate_qr(delegate: Delegate, *, issue: bool = False) -> DelegateQR | None:
    """The approved delegate's QR code, or None; ``issue=True`` issues a missing code (e-mail)."""
    if delegate is None or delegate.status != RegistrationStatus.APPROVED:
        return None
    row = ensure_code(delegate) if issue else code_row(delegate)
    if row is None:
        return None
    try:
        return DelegateQR(delegate, current_code(row), badge_number(delegate, row))
    except CodeKeyChanged:
        return None


def qr_svg(delegate: Delegate) -> Markup | None:
    """The delegate's badge QR code as inline SVG, or None (not approved, no code yet)."""
    qr = delegate_qr(delegate)
    return qr.svg if qr else None


def qr_attachment(delegate: Delegate) -> tuple[str, str, bytes] | None:
    """The QR code as a PNG attachment (filename, mimetype, bytes) for e-mail; issues the code."""
    qr = delegate_qr(delegate, issue=True)
    return (f"badge-{qr.number}-qr-code.png", "image/png", qr_png(qr.code)) if qr else None


def _meeting_section(meeting) -> dict:
    from ..checkin.services import counters

    return {"counters": counters(meeting)}


bp.add_app_template_global(delegate_qr, "delegate_qr")
add_page_section("badges/_qr_section.html", lambda delegate: {"qr": delegate_qr(delegate)})
add_detail_section("badges/_meeting_section.html", _meeting_section)

from . import jobs, routes  # noqa: E402,F401
