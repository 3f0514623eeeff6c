"""QR codes of check-in codes: SVG for pages and badges, PNG, and an HTML table for e-mail.

Error-correction level Q (a quarter of the symbol may be scratched or
creased) and the standard quiet zone of four modules.
"""

import base64
import io

import qrcode
from flask_babel import gettext as _
from markupsafe import Markup, escape

QUIET_ZONE = 4


# Per version: the (row, column) of each data module, in the order qrcode fills them.
_DATA_POSITIONS: dict[int, list[tuple[int, int]]] = {}
# Per (version, mask pattern): whether the mask flips each of those modules.
_MASKS: dict[tuple[int, int], list[bool]] = {}


def _data_positions(modules: list[list], version: int) -> list[tuple[int, int]]:
    """The free modules in qrcode's zigzag order (two columns at a time, up then down)."""
    positions = _DATA_POSITIONS.get(version)
    if positions is None:
        count, positions, inc, row = len(modules), [], -1, len(modules) - 1
        for col in range(count - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if modules[row][c] is None:
                        positions.append((row, c))
                row += inc
                if row < 0 or count <= row:
                    row -= inc
                    inc = -inc
                    break
        _DATA_POSITIONS[version] = positions
    return positions


class _QRCode(qrcode.QRCode):
    """qrcode's QRCode with ``map_data`` done from cached positions and masks.

    The same modules as qrcode's own (tests/badges/test_badges.py compares them): the
    choice of the mask pattern maps the data eight times, which was most of the
    time of an approval e-mail's QR code.
    """

    def map_data(self, data, mask_pattern):
        positions = _data_positions(self.modules, self.version)
        mask = _MASKS.get((self.version, mask_pattern))
        if mask is None:
            mask_func = qrcode.util.mask_func(mask_pattern)
            mask = _MASKS[self.version, mask_pattern] = [bool(mask_func(r, c))
                                                         for r, c in positions]
        bits = [(byte >> shift) & 1 == 1 for byte in data for shift in range(7, -1, -1)]
        bits.extend([False] * (len(positions) - len(bits)))
        modules = self.modules
        for (r, c), flip, dark in zip(positions, mask, bits, strict=False):
            modules[r][c] = dark != flip


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules, quiet zone included: True is dark."""
    qr = _QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=QUIET_ZONE)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()


def _runs(row: list[bool]):
    """(start, length, dark) for each run of equal modules in a row."""
    start = 0
    for x in range(1, len(row) + 1):
        if x == len(row) or row[x] != row[start]:
            yield start, x - start, row[start]
            start = x


def svg_path(matrix: list[list[bool]]) -> str:
    """One SVG path drawing every dark module (compact and quick to render)."""
    return "".join(f"M{x} {y}h{length}v1h-{length}z"
                   for y, row in enumerate(matrix)
                   for x, length, dark in _runs(row) if dark)


def qr_svg(text: str, *, label: str | None = None, size: int = 240) -> Markup:
    """An inline SVG of the QR code for ``text``, ``size`` pixels wide (CSS may resize it)."""
    label = _("QR code") if label is None else label
    matrix = qr_matrix(text)
    n = len(matrix)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{size}" '
        f'height="{size}" role="img" aria-label="{escape(label)}" shape-rendering="crispEdges" '
        f'class="qr-code">'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path d="{svg_path(matrix)}" fill="#000"/></svg>')


def qr_png(text: str, *, scale: int = 10) -> bytes:
    """A PNG of the QR code, ``scale`` pixels per module."""
    from PIL import Image

    matrix = qr_matrix(text)
    n = len(matrix)
    image = Image.new("1", (n, n), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    if scale > 1:
        image = image.resize((n * scale, n * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def qr_png_data_uri(text: str, *, scale: int = 10) -> str:
    """The PNG as a ``data:`` URL (a download link on the delegate's page)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text, scale=scale)).decode()


def qr_html_table(text: str, *, module_px: int = 6) -> Markup:
    """The QR code as an HTML table of black and white cells, for e-mail."""
    # Mail programs block images (and strip inline SVG) by default; a table of
    # coloured cells shows everywhere, without a download or an attachment.
    matrix = qr_matrix(text)
    n = len(matrix)
    rows = []
    for row in matrix:
        cells = []
        for _start, length, dark in _runs(row):
            colour = "#000000" if dark else "#ffffff"
            span = f' colspan="{length}"' if length > 1 else ""
            # bgcolor for Outlook, the style for everyone else.
            cells.append(f'<td{span} width="{length * module_px}" height="{module_px}" '
                         f'bgcolor="{colour}" style="padding:0;width:{length * module_px}px;'
                         f'height:{module_px}px;background-color:{colour};'
                         f'line-height:{module_px}px;font-size:1px;"></td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    size = n * module_px
    label = escape(_("QR code"))
    return Markup(
        f'<table role="img" aria-label="{label}" cellpadding="0" cellspacing="0" border="0" '
        f'width="{size}" style="border-collapse:collapse;width:{size}px;height:{size}px;'
        f'table-layout:fixed;background:#ffffff;">{"".join(rows)}</table>')
