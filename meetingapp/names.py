"""People's names as their cultures write them: the order of the names, the form of
address in the language being rendered, the sort key of a list.

Each person keeps a name order: ``given_first`` (Anne-Sophie Lefèvre) or
``family_first`` (李小龙, Li Xiaolong, Orbán Viktor). When none is given it follows the
script of the name: Chinese, Japanese and Korean names put the family name first and
are written without spaces.

The form of address (Mr., Ms., H.E., Dr., Prof.) is recognised in any of the six
languages (Mr., M., Sr., г-н, السيد, 先生, ...) and said again in the language being
rendered, before the name, or after it in Chinese: 李小龙先生, Mr. Xiaolong LI,
السيد أحمد المنصوري. A form of address we do not know is kept as written.

The list-of-participants style of the United Nations writes the family name in
capitals after the given name (Ms. Anne-Sophie LEFÈVRE); names written without spaces
keep their own order (李小龙女士).
"""

import unicodedata

from flask_babel import get_locale
from flask_babel import gettext as _
from text_unidecode import unidecode

from .text import fold

NAME_ORDERS = ("given_first", "family_first")
# Languages whose forms of address follow the name (李小龙先生).
TITLE_AFTER_NAME = frozenset({"zh"})
# Said last when several follow the name: 李小龙先生阁下.
LAST_AFTER_NAME = ("he",)

# Every spelling we recognise, folded, for each form of address.
_ALIASES = {
    "he": ("h.e.", "h. e.", "he", "his excellency", "her excellency", "s.e.", "s. e.",
           "son excellence", "su excelencia", "excmo.", "excma.", "excmo", "excma", "е.п.",
           "его превосходительство", "ее превосходительство", "سعادة", "معالي", "阁下", "閣下"),
    "mr": ("mr.", "mr", "m.", "monsieur", "sr.", "sr", "senor", "г-н", "г-н.", "господин",
           "السيد", "先生"),
    "mrs": ("mrs.", "mrs"),
    "ms": ("ms.", "ms", "mme", "mme.", "madame", "sra.", "sra", "senora", "г-жа", "г-жа.",
           "госпожа", "السيدة", "女士"),
    "dr": ("dr.", "dr", "doctor", "docteur", "д-р", "д-р.", "доктор", "الدكتور", "الدكتورة",
           "د.", "博士"),
    "prof": ("prof.", "prof", "professor", "professeur", "pr", "pr.", "проф.", "профессор",
             "الأستاذ", "الاستاذ", "教授"),
}
_KNOWN = sorted(((fold(alias), key) for key, aliases in _ALIASES.items() for alias in aliases),
                key=lambda pair: -len(pair[0]))


def _said(key: str) -> str:
    """A form of address in the language being rendered."""
    # Translators: forms of address, before the name (after it in Chinese: 先生, 女士).
    return {
        "he": _("H.E."),
        "mr": _("Mr."),
        "mrs": _("Mrs."),
        "ms": _("Ms."),
        "dr": _("Dr."),
        "prof": _("Prof."),
    }[key]


def _language() -> str:
    try:
        locale = get_locale()
    except (RuntimeError, KeyError):  # no application context
        locale = None
    return locale.language if locale is not None else "en"


def is_unspaced(char: str) -> bool:
    """Whether ``char`` belongs to a script written without spaces between names
    (Chinese characters, Japanese kana, Korean hangul)."""
    name = unicodedata.name(char, "")
    return name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL"))


def _unspaced(text: str) -> bool:
    return any(is_unspaced(c) for c in text)


def default_name_order(given_name: str | None, family_name: str | None) -> str:
    """The name order a person gets when none was chosen: from the script of the name."""
    return "family_first" if _unspaced(f"{given_name or ''}{family_name or ''}") \
        else "given_first"


def person_name(given_name: str | None, family_name: str | None, order: str | None, *,
                list_style: bool = False) -> str:
    """The name without form of address, in the person's order (李小龙, Li Xiaolong);
    ``list_style``: the family name in capitals after the given name (Xiaolong LI)."""
    given, family = (given_name or "").strip(), (family_name or "").strip()
    order = order if order in NAME_ORDERS else default_name_order(given, family)
    if _unspaced(given + family):
        parts = (family, given) if order == "family_first" else (given, family)
        return "".join(parts)
    if list_style:
        return " ".join(p for p in (given, family.upper()) if p)
    parts = (family, given) if order == "family_first" else (given, family)
    return " ".join(p for p in parts if p)


def parse_title(title: str | None) -> list[str]:
    """The forms of address in ``title``: a known key ("mr", "he", ...) or, for what we
    do not recognise, the words as written ("Ambassador")."""
    text = " ".join((title or "").split())
    tokens: list[str] = []
    while text:
        folded = fold(text)
        for alias, key in _KNOWN:
            if folded.startswith(alias):
                rest = folded[len(alias):]
                # A whole word: "Mr" is not the start of "Mrs", "Dr" not of "Drake".
                if not rest or rest[0] == " " or alias[-1] == "." or is_unspaced(alias[-1]):
                    tokens.append(key)
                    text = _cut(text, len(alias))
                    break
        else:
            word, _, text = text.partition(" ")
            tokens.append(word)
        text = text.strip()
    return tokens


def _cut(text: str, folded_length: int) -> str:
    """``text`` without its beginning that folds to ``folded_length`` characters."""
    for end in range(1, len(text) + 1):
        if len(fold(text[:end])) >= folded_length:
            return text[end:]
    return ""


def with_title(title: str | None, name: str, language: str | None = None) -> str:
    """``name`` with its form of address in ``language`` (default: the one rendered now)."""
    language = language or _language()
    tokens = parse_title(title)
    if language in TITLE_AFTER_NAME:
        after = [t for t in tokens if t in _ALIASES or _unspaced(t)]
        after.sort(key=lambda t: t in LAST_AFTER_NAME)
        before = [t for t in tokens if t not in after]
    else:
        after, before = [], tokens
    said_before = " ".join(_said(t) if t in _ALIASES else t for t in before)
    said_after = "".join(_said(t) if t in _ALIASES else t for t in after)
    text = " ".join(p for p in (said_before, name) if p)
    if said_after:
        joint = "" if not text or is_unspaced(text[-1]) else " "
        text = f"{text}{joint}{said_after}"
    return text


def addressed_name(title: str | None, given_name: str | None, family_name: str | None,
                   order: str | None, *, list_style: bool = False,
                   language: str | None = None) -> str:
    """The name with its form of address, as lists, badges and e-mails show it."""
    return with_title(title, person_name(given_name, family_name, order,
                                         list_style=list_style), language)


def sort_key(family_name: str | None, given_name: str | None) -> str:
    """The key a list sorts people by: the family name, then the given name, folded;
    Chinese characters by their reading (李 as "li"), so that they sort in an
    alphabetical order rather than by their place in Unicode."""
    def key(text: str | None) -> str:
        folded = fold(text)
        return fold("".join(unidecode(c) if is_unspaced(c) else c for c in folded))
    return f"{key(family_name)}\x1f{key(given_name)}"[:400]
