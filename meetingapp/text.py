"""Text helpers: folding for search and uniqueness, safe CSV cells."""

import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

from text_unidecode import unidecode

TATWEEL = "\u0640"


@lru_cache(maxsize=4096)
def _latin_letter(char: str) -> str:
    """A Latin letter that no decomposition reaches (ø, đ, œ, ł, þ, æ, ı), as the
    transliteration library spells it in ASCII; any other character as it is."""
    if char.isascii() or not unicodedata.name(char, "").startswith("LATIN "):
        return char
    return unidecode(char).lower() or char


def fold(text: str | None) -> str:
    """Fold text for comparison: case, accents and Arabic diacritics ignored.

    NFKD splits accented letters (é, ё, أ) into a base letter and combining
    marks, which are dropped; Arabic harakat are combining marks too, and the
    tatweel (kashida) is only decoration. Latin letters that do not decompose
    (Ø, Đ, Œ, Ł, Þ, Æ) are transliterated by text-unidecode, so that "orsted"
    finds Ørsted and "oeuvre" Œuvre. Other scripts keep their letters: a
    transliteration of Cyrillic, Arabic or Chinese would make distinct names
    one key (Chinese homophones, Arabic without its vowels).
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(_latin_letter(c) for c in decomposed
                   if not unicodedata.combining(c) and c != TATWEEL)
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
