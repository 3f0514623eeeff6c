"""Text helpers: folding for search and uniqueness, safe CSV cells."""

import unicodedata
from urllib.parse import urlsplit

TATWEEL = "\u0640"


def fold(text: str | None) -> str:
    """Fold text for comparison: case, accents and Arabic diacritics ignored.

    NFKD splits accented letters (é, ё, أ) into a base letter and combining
    marks, which are dropped; Arabic harakat are combining marks too, and the
    tatweel (kashida) is only decoration. Chinese is left as it is.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c != TATWEEL)
    return " ".join(unicodedata.normalize("NFC", kept).split())


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A CSV cell that spreadsheet programs will not run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def is_local_path(target: str | None) -> bool:
    """Whether ``target`` (a "next" or "back" address from a form or URL) is a path on this
    site: never another host (``//evil``, ``/\\evil``, ``https://...``), whatever it says."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)
