"""The catalogues hold every string of the code and templates, and translate them.

The strings are extracted afresh from the sources (as ``make i18n-extract`` does),
so a string added to a template without ``make i18n-update`` and a translation
fails here. What representatives and delegates read (the invitation link, the
delegate page, e-mails, errors) must be translated into all five languages;
staff pages at least into French.
"""

import os
from functools import cache, lru_cache

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from meetingapp.i18n import LANGUAGES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "meetingapp", "translations")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# Where the strings that representatives and delegates read come from.
PUBLIC = (
    "templates/base.html", "templates/_language_switcher.html",
    "templates/portal/", "templates/delegates/", "templates/emails/",
    "templates/calendars/", "templates/errors/", "templates/macros/",
    "templates/agenda/_portal_programme.html", "templates/agenda/_delegate_section.html",
    "templates/agenda/_programme.html", "templates/agenda/proposal",
    "templates/outcomes/_organisation.html", "templates/reports/contribution.html",
    "templates/badges/_qr", "templates/checkin/_organisation_attendance.html",
    "meetingapp/portal/", "meetingapp/delegates/", "meetingapp/calendars/",
    "meetingapp/links.py", "meetingapp/errors.py", "meetingapp/formtools.py",
    "meetingapp/registrations/notify.py", "meetingapp/invitations/messages.py",
    "meetingapp/registrations/services.py", "meetingapp/registrations/forms.py",
    "meetingapp/agenda/proposals.py", "meetingapp/reports/services.py",
    "meetingapp/models/", "meetingapp/timezones.py", "meetingapp/i18n.py",
    "templates/outcomes/_due.html",
)
OTHER_LANGUAGES = [language for language in LANGUAGES if language != "en"]


@lru_cache(maxsize=1)
def source_strings() -> dict[str, set[str]]:
    """msgid -> the files it is used in, extracted from the code and templates now."""
    with open(os.path.join(ROOT, "babel.cfg"), encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple | list) else message
        if msgid:
            found.setdefault(msgid, set()).add(filename.replace(os.sep, "/"))
    return found


@cache
def catalogue(language: str):
    path = os.path.join(TRANSLATIONS, language, "LC_MESSAGES", "messages.po")
    with open(path, "rb") as po:
        return read_po(po, locale=language)


def _is_public(files: set[str]) -> bool:
    return any(f.startswith(PUBLIC) for f in files)


def test_there_is_much_to_translate():
    """The extraction finds the strings (a broken babel.cfg would find none)."""
    strings = source_strings()
    assert len(strings) > 500
    assert "Language" in strings
    assert any(_is_public(files) for files in strings.values())


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_string_of_the_sources_is_in_the_catalogue(language):
    known = catalogue(language)
    missing = sorted(msgid for msgid in source_strings() if known.get(msgid) is None)
    assert not missing, (f"{len(missing)} string(s) missing from the {language} catalogue; "
                         f"run `make i18n-update` and translate them: {missing[:10]}")


def _untranslated(language: str, wanted) -> list[str]:
    known = catalogue(language)
    left = []
    for msgid, files in source_strings().items():
        entry = known.get(msgid)
        if not wanted(files) or entry is None:
            continue
        texts = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        if entry.fuzzy or not all(texts):
            left.append(msgid)
    return sorted(left)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_what_representatives_and_delegates_read_is_translated(language):
    left = _untranslated(language, _is_public)
    assert not left, f"{len(left)} public string(s) untranslated in {language}: {left[:10]}"


def test_staff_pages_are_translated_into_french():
    left = _untranslated("fr", lambda files: True)
    assert not left, f"{len(left)} string(s) untranslated in French: {left[:10]}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_translations_keep_the_placeholders(language):
    """A translation that drops or misspells %(name)s would fail when the page renders."""
    problems = [(message.id, errors) for message, errors in catalogue(language).check()]
    assert not problems, problems[:10]


def test_plural_forms_follow_the_count():
    """Jinja picks the plural form by the *first* variable of {% trans %} unless
    {% pluralize count %} names it: "1 of 3 delegates" must follow the 3."""
    import re

    block = re.compile(r"{%-?\s*trans\s+(\w+)\s*=(.*?){%-?\s*endtrans\s*-?%}", re.S)
    wrong = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "templates")):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as template:
                text = template.read()
            for match in block.finditer(text):
                first, body = match.group(1), match.group(2)
                if re.search(r"{%-?\s*pluralize\s*-?%}", body) and first != "count":
                    wrong.append(f"{os.path.relpath(path, ROOT)}: plural by {first!r}")
    assert not wrong, wrong
