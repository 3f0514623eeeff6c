"""A delegate's check-in code and its QR code in each form a page or an e-mail needs."""

from flask_babel import gettext as _
from markupsafe import Markup

from ..models.registration import Delegate, RegistrationStatus
from .codes import CodeKeyChanged, badge_number, code_row, current_code, format_code
from .qr import qr_html_table, qr_png_data_uri
from .qr import qr_svg as svg_of


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


def delegate_qr(delegate: Delegate | None) -> DelegateQR | None:
    """The approved delegate's QR code, or None (not approved, no code). Reads only."""
    if delegate is None or delegate.status != RegistrationStatus.APPROVED:
        return None
    row = code_row(delegate)
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
