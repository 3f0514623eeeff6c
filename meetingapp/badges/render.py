"""Badges as PDF: one CR80 card (85.6 x 54 mm) per page for a badge printer, or A4
sheets of ten cards (two columns, five rows) with cut marks.

A badge carries the name with its form of address, the organisation (acronym
and full name), the role (a head of delegation is marked with a star, a
dark band and the words), the meeting and its dates, the QR code of the
check-in code and the badge number. Text sizes are fitted to the card's
boxes (``fit``); Pango and HarfBuzz shape Arabic, Chinese and Cyrillic with
the Noto fonts of scripts/install-system-deps.sh.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from babel.dates import format_interval
from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..i18n import current_language
from ..models import CheckinCode, Meeting
from ..models.registration import DELEGATE_ROLE_LABELS, Delegate
from ..names import with_title
from ..pdf import FONT_STACK, PdfUnavailable
from ..timezones import utc_to_local
from .codes import badge_number, current_code
from .fit import fit_font_size, truncate_to_fit
from .qr import qr_png_data_uri

LAYOUTS = {"card": _l("Single badges (CR80 card, 85.6 × 54 mm)"),
           "sheet": _l("A4 sheets of 10 badges with cut marks")}
CARD_W, CARD_H = 85.6, 54.0  # mm
SHEET_W, SHEET_H, COLUMNS, ROWS = 210.0, 297.0, 2, 5
PER_SHEET = COLUMNS * ROWS
# Text boxes of the card (mm): the column left of the QR code, and the top band.
TEXT_W, BAND_W = 53.0, 79.6
CHUNK = 100  # badges laid out at a time: progress is reported between chunks


@dataclass(frozen=True)
class Badge:
    """What one badge shows, with its text sizes fitted."""

    number: str
    address: str
    name: str
    name_pt: float
    name_lang: str
    name_dir: str
    acronym: str
    organisation: str
    organisation_pt: float
    role: str
    is_head: bool
    meeting: str
    meeting_pt: float
    dates: str
    venue: str
    qr: Markup


def _script(text: str) -> tuple[str, str]:
    """(lang, dir) for the name's script: Arabic right to left, Chinese, else automatic."""
    if any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text):
        return "ar", "rtl"
    if any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text):
        return "zh", "ltr"
    return "", "auto"


def meeting_dates(meeting: Meeting, language: str | None = None) -> str:
    """The meeting's dates in its own zone, in ``language`` (the page's by default).

    English as the secretariat writes it: "6 March 2003" or "6–8 March 2003"; the other
    languages as their CLDR data says (Babel), e.g. "6–8 مارس 2003", "2003年3月6日 – 8日".
    """
    language = language or current_language()
    first = utc_to_local(meeting.starts_at, meeting.timezone)
    last = utc_to_local(meeting.ends_at, meeting.timezone)
    if language != "en":
        return format_interval(first.date(), last.date(), "yMMMMd", locale=language)
    if first.date() == last.date():
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


def badge_for(delegate: Delegate, row: CheckinCode) -> Badge:
    """The badge of an approved delegate with its code row (``CodeKeyChanged`` if stale)."""
    organisation = delegate.invitation.organisation
    meeting = delegate.meeting
    name = truncate_to_fit(delegate.full_name, TEXT_W, 3, 6.5)
    org_name = truncate_to_fit(organisation.name, TEXT_W, 2, 5.5)
    title = truncate_to_fit(meeting.title, BAND_W, 2, 5.0)
    lang, direction = _script(name)
    number = badge_number(delegate, row)
    dates = meeting_dates(meeting)
    # The line is fitted as a whole; only the venue gives way when it is too long.
    when_where = truncate_to_fit(f"{dates} · {meeting.venue}", BAND_W, 1, 6.0)
    venue = when_where.removeprefix(f"{dates} · ") if when_where.startswith(dates) else ""
    return Badge(
        number=number,
        # The form of address in the badge's language (Mr., 先生), on its own line.
        address=truncate_to_fit(with_title(delegate.title, ""), TEXT_W, 1, 7.0),
        name=name, name_pt=fit_font_size(name, TEXT_W, 3, 14, 6.5),
        name_lang=lang, name_dir=direction,
        acronym=organisation.acronym or "", organisation=org_name,
        organisation_pt=fit_font_size(org_name, TEXT_W, 2, 7.5, 5.5),
        role=str(DELEGATE_ROLE_LABELS.get(delegate.role, delegate.role)),
        is_head=delegate.role == "head",
        meeting=title, meeting_pt=fit_font_size(title, BAND_W, 2, 8.0, 5.0),
        dates=dates, venue=venue,
        # One pixel per module, drawn without smoothing: crisp, and fast to lay out.
        qr=Markup('<img src="{}" alt="{}">').format(
            qr_png_data_uri(current_code(row), scale=1),
            _("Check-in QR code of badge %(number)s", number=number)),
    )


def sheet_geometry() -> dict:
    """Where the ten cards and the cut marks go on an A4 sheet (mm)."""
    left = (SHEET_W - COLUMNS * CARD_W) / 2
    top = (SHEET_H - ROWS * CARD_H) / 2
    slots = [(left + (i % COLUMNS) * CARD_W, top + (i // COLUMNS) * CARD_H)
             for i in range(PER_SHEET)]
    xs = [left + c * CARD_W for c in range(COLUMNS + 1)]
    ys = [top + r * CARD_H for r in range(ROWS + 1)]
    gap, length = 1.5, min(6.0, left - 3, top - 3)
    marks = ([(x, top - gap - length, 0, length) for x in xs]  # above the grid
             + [(x, top + ROWS * CARD_H + gap, 0, length) for x in xs]  # below
             + [(left - gap - length, y, length, 0) for y in ys]  # left
             + [(left + COLUMNS * CARD_W + gap, y, length, 0) for y in ys])  # right
    return {"slots": slots, "marks": marks}


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(_("PDF rendering needs WeasyPrint and Pango: run "
                               "scripts/install-system-deps.sh and pip install -r "
                               "requirements.txt.")) from error
    return weasyprint


# WeasyPrint's font configuration (system fonts only), made once per worker thread.
_local = threading.local()
# PDFs of single badges by the SHA-256 of their HTML (name, organisation, code, layout...):
# printing one badge again, unchanged, skips the layout. Per worker process.
SINGLE_CACHE_SIZE = 256
_single_cache: OrderedDict[str, bytes] = OrderedDict()
_single_lock = threading.Lock()


def _font_config():
    fonts = getattr(_local, "fonts", None)
    if fonts is None:
        from weasyprint.text.fonts import FontConfiguration

        fonts = _local.fonts = FontConfiguration()
    return fonts


def _cached_single(key: str) -> bytes | None:
    with _single_lock:
        pdf = _single_cache.get(key)
        if pdf is not None:
            _single_cache.move_to_end(key)
        return pdf


def _keep_single(key: str, pdf: bytes) -> None:
    with _single_lock:
        _single_cache[key] = pdf
        while len(_single_cache) > SINGLE_CACHE_SIZE:
            _single_cache.popitem(last=False)


def render_badges(badges: Sequence[Badge], layout: str, *, title: str | None = None,
                  progress: Callable[[float, str], None] | None = None) -> bytes:
    """The PDF of ``badges`` in ``layout`` ("card" or "sheet"), laid out a chunk at a time."""
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown badge layout {layout!r}.")
    if not badges:
        raise ValueError(_("There is no badge to print."))
    title = _("Badges") if title is None else title
    weasyprint = _weasyprint()

    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    fonts = _font_config()
    geometry = sheet_geometry() if layout == "sheet" else None
    documents = []
    single_key = None
    for start in range(0, len(badges), CHUNK):
        html = render_template("badges/document.html", badges=badges[start:start + CHUNK],
                               layout=layout, geometry=geometry, title=title,
                               card=(CARD_W, CARD_H), per_sheet=PER_SHEET,
                               font_stack=Markup(FONT_STACK))
        if len(badges) == 1 and progress is None:
            single_key = hashlib.sha256(f"{layout}\n{html}".encode()).hexdigest()
            cached = _cached_single(single_key)
            if cached is not None:
                return cached
        documents.append(weasyprint.HTML(string=html, base_url="about:blank",
                                         url_fetcher=fetcher).render(font_config=fonts))
        if progress:
            done = min(start + CHUNK, len(badges))
            progress(85 * done / len(badges), _("%(done)d of %(total)d badges laid out",
                                                done=done, total=len(badges)))
    if progress:
        progress(90, _("Writing the PDF file"))
    pages = [page for document in documents for page in document.pages]
    pdf = documents[0].copy(pages).write_pdf()
    if single_key is not None:
        _keep_single(single_key, pdf)
    return pdf
