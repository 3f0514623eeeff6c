"""Fitting text in a badge's fixed boxes: the largest font size at which it wraps
into the lines available.

WeasyPrint lays out but cannot shrink text to fit, so the size is chosen
here from a conservative estimate of each character's advance (in ems of
Noto Sans, Noto Naskh Arabic and Noto Sans CJK, bold): text estimated to fit
does fit, a little smaller than strictly needed at worst.
"""

import unicodedata

PT_PER_MM = 72 / 25.4


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"


def char_em(ch: str) -> float:
    """An upper bound of the advance of ``ch`` in ems (bold)."""
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        return 0.28
    if _is_arabic(ch):
        return 0.62
    if ch in "MWmwШЩЖЮшщжюМЖ@%—":
        return 0.98
    if ch.isupper():
        return 0.75
    if ch.isdigit():
        return 0.6
    if ch in ".,;:'’!|il1()[]-":
        return 0.38
    return 0.64


def text_em(text: str) -> float:
    """The estimated width of ``text`` in ems."""
    return sum(char_em(ch) for ch in text)


def _pieces(text: str) -> list[str]:
    """Break opportunities: after spaces and hyphens, and around each CJK character."""
    pieces, current = [], ""
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if wide and current:
            pieces.append(current)
            current = ""
        current += ch
        if wide or ch in " -":
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def _measure(text: str) -> list[tuple[float, float]]:
    """Each piece's width in ems without and with its trailing space."""
    return [(text_em(piece.rstrip(" ")), text_em(piece)) for piece in _pieces(text)]


def _lines(measures: list[tuple[float, float]], width_em: float) -> int:
    lines, used = 1, 0.0
    for bare, full in measures:
        if used and used + bare > width_em:
            lines, used = lines + 1, 0.0
        while bare > width_em:  # a word longer than the line breaks anywhere
            lines, bare, full = lines + 1, bare - width_em, full - width_em
        used += full
    return lines


def line_count(text: str, width_em: float) -> int:
    """Lines that ``text`` takes, wrapped greedily at ``width_em`` (long words broken)."""
    return _lines(_measure(text), width_em)


def fit_font_size(text: str, width_mm: float, max_lines: int, max_pt: float,
                  min_pt: float, step: float = 0.25) -> float:
    """The largest size from ``max_pt`` down to ``min_pt`` at which ``text`` fits the lines."""
    width_pt = width_mm * PT_PER_MM
    measures = _measure(text)
    size = max_pt
    while size > min_pt:
        if _lines(measures, width_pt / size) <= max_lines:
            return size
        size -= step
    return min_pt


def truncate_to_fit(text: str, width_mm: float, max_lines: int, size_pt: float) -> str:
    """``text`` cut (with an ellipsis) to what fits the lines at ``size_pt``; whole if it fits."""
    width_em = width_mm * PT_PER_MM / size_pt
    if line_count(text, width_em) <= max_lines:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with its ellipsis
        middle = (low + high + 1) // 2
        if line_count(text[:middle].rstrip() + "…", width_em) <= max_lines:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"
