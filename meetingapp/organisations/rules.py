"""Field rules shared by the forms, the services and the CSV import."""

from urllib.parse import urlsplit

from ..models.organisation import ORGANISATION_KINDS, Contact, Organisation
from ..text import FORMULA_PREFIXES, fold

# Longest value of each text field, taken from the columns so that the
# forms, the import and the database never disagree.
ORGANISATION_LIMITS = {
    name: Organisation.__table__.c[name].type.length
    for name in ("name", "acronym", "region", "website")
}
ORGANISATION_LIMITS["notes"] = 5000  # a Text column: a sane bound for a form
# The folded keys can be longer than the text ("ß" folds to "ss").
KEY_LIMITS = {name: Organisation.__table__.c[name].type.length
              for name in ("name_key", "search_key")}
CONTACT_LIMITS = {
    name: Contact.__table__.c[name].type.length
    for name in ("name", "title", "position", "email", "phone")
}

TRUE_WORDS = ("yes", "y", "true", "1", "active")
FALSE_WORDS = ("no", "n", "false", "0", "inactive")


def clean_text(value) -> str:
    """Strip a form or CSV value; line breaks become plain ``\\n``."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def unescape_spreadsheet_cell(value: str) -> str:
    """Undo ``spreadsheet_safe`` (a quote before a formula sign), so exports re-import."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def is_web_address(url: str) -> bool:
    """True for an absolute http(s) address with a host: nothing else is linked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and (
        not any(c.isspace() for c in url)
    )


def parse_kind(value: str) -> str | None:
    """The kind named by ``value`` (any case or accent), or None if unknown."""
    folded = fold(value).replace(" ", "-")
    return folded if folded in ORGANISATION_KINDS else None


def parse_active(value: str) -> bool | None:
    """``yes``/``no`` and the like; empty means active; None if not understood."""
    folded = fold(value)
    if folded == "" or folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    return None


def keys_fit(name: str, acronym: str) -> bool:
    """True if the folded name and search keys fit their columns."""
    return (len(fold(name)) <= KEY_LIMITS["name_key"]
            and len(fold(f"{name} {acronym}")) <= KEY_LIMITS["search_key"])
