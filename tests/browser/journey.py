"""Helpers of the end-to-end journey (test_journey.py): texts in the page's language,
the language switcher, one browser per person, the e-mail the console backend wrote.

Expected texts come from the app's own catalogue through ``t(language, msgid)``: while
a catalogue is empty every language falls back to English, and once it is translated
the same test asserts the translated text.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import cache
from pathlib import Path

from babel.support import Translations
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

from .helpers import AXE_SCRIPT, PROJECT_ROOT, assert_accessible, snap

TRANSLATIONS = PROJECT_ROOT / "meetingapp" / "translations"
# The switcher names each language in itself (meetingapp/i18n.py LANGUAGE_NAMES).
LANGUAGE_NAMES = {"ar": "العربية", "zh": "中文", "en": "English", "fr": "Français",
                  "ru": "Русский", "es": "Español"}
RIGHT_TO_LEFT = {"ar"}
TIMEOUT_MS = 10_000


@cache
def _catalogue(language: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [language])


def _known(msgid: str) -> None:
    """A msgid the app does not use would make the test compare English with English."""
    known = _catalogue("fr")._catalog  # msgid, or (msgid, n) for plural forms
    assert msgid in known or (msgid, 0) in known, f"not a msgid of the app: {msgid!r}"


def t(language: str, msgid: str, **values) -> str:
    """``msgid`` as the app shows it in ``language``."""
    _known(msgid)
    text = _catalogue(language).gettext(msgid)
    return text % values if values else text


def tn(language: str, singular: str, plural: str, count: int, **values) -> str:
    """A message with a plural form ({% trans count=... %}...{% pluralize %}, ngettext)."""
    values.setdefault("count", count)
    values.setdefault("num", count)
    _known(singular)
    return _catalogue(language).ngettext(singular, plural, count) % values


# ----- The language -----

def assert_language(page: Page, language: str) -> None:
    """The page is in ``language``: <html lang> and its direction."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language in RIGHT_TO_LEFT else "ltr")


def choose_language(page: Page, language: str) -> None:
    """Pick ``language`` with the switcher in the header, as a person would."""
    # The switcher is labelled in the page's current language, not yet in ``language``.
    current = page.locator("html").get_attribute("lang") or "en"
    switcher = page.get_by_role("navigation", name=t(current, "Language"), exact=True)
    button = switcher.get_by_role("button", name=LANGUAGE_NAMES[language], exact=True)
    expect(button).to_have_attribute("lang", language)
    button.click()
    assert_language(page, language)
    chosen = page.get_by_role("navigation", name=t(language, "Language"), exact=True)
    expect(chosen.get_by_role("button", name=LANGUAGE_NAMES[language], exact=True)) \
        .to_have_attribute("aria-current", "true")


def sign_in(page: Page, language: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, its labels read in ``language``."""
    page.get_by_label(t(language, "E-mail"), exact=True).fill(email)
    page.get_by_label(t(language, "Password"), exact=True).fill(password)
    page.get_by_role("button", name=t(language, "Sign in"), exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    assert_language(page, language)


# ----- Screens: a screenshot and axe on each -----

@dataclass
class Steps:
    """Names each screen of one journey in order: test-artifacts/.../journey-<lang>-NN-<what>."""

    language: str
    count: int = 0
    names: list = field(default_factory=list)

    def check(self, page: Page, what: str) -> None:
        """Keep a screenshot of the page and fail on serious or critical axe violations."""
        self.count += 1
        name = f"journey-{self.language}-{self.count:02d}-{what}"
        self.names.append(name)
        snap(page, name)
        assert_accessible(page, name)


# ----- One browser context per person -----

@dataclass
class Person:
    """A person's own browser (cookies, language) and what went wrong in it."""

    name: str
    page: Page
    outside: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)


@contextmanager
def people(browser, base_url: str, on_failure=None):
    """Yield ``open(name)``: a fresh desktop browser context per person, closed at the end.

    As tests/browser/conftest.py does for ``page``: axe-core arrives as an init script,
    only the app itself may be reached, JavaScript errors fail the test.
    """
    opened: list[Person] = []
    own = re.compile(r"^" + re.escape(base_url) + r"/")

    def open_(name: str) -> Person:
        context = browser.new_context(base_url=base_url, locale="en-GB", reduced_motion="reduce",
                                      viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(path=str(AXE_SCRIPT))
        page = context.new_page()
        person = Person(name, page)

        def refuse(route):
            person.outside.append(route.request.url)
            route.abort()

        context.route(lambda url: not own.match(url) and not url.startswith("data:"), refuse)
        page.on("pageerror", lambda error: person.page_errors.append(error))
        opened.append(person)
        return person

    try:
        yield open_
    finally:
        for person in opened:
            if on_failure is not None:
                on_failure(person)
            person.page.context.close()
    problems = [f"{p.name}: pages tried to load from outside the app: {p.outside}"
                for p in opened if p.outside]
    problems += [f"{p.name}: JavaScript errors on the page: {p.page_errors}"
                 for p in opened if p.page_errors]
    assert not problems, "\n".join(problems)


# ----- E-mail, as the console backend writes it (meetingapp/mail/backends.py) -----

def read_emails(directory: Path) -> list[EmailMessage]:
    """Every .eml file in the development mail folder, oldest first."""
    if not directory.exists():
        return []
    parser = BytesParser(policy=policy.default)
    messages = []
    for path in sorted(directory.glob("*.eml")):
        with path.open("rb") as handle:
            messages.append(parser.parse(handle))
    return messages


def emails_to(directory: Path, address: str) -> list[EmailMessage]:
    """The messages sent to ``address`` (To or Cc), oldest first."""
    address = address.lower()
    return [m for m in read_emails(directory)
            if address in " ".join(str(m[h] or "") for h in ("To", "Cc")).lower()]


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, f"no text part in the e-mail {message['Subject']!r}"
    return body.get_content()


def link_in(message: EmailMessage, base_url: str, path: str) -> str:
    """The one personal link under ``base_url + path`` in the message's text."""
    pattern = re.escape(base_url + path) + r"[A-Za-z0-9_-]+"
    links = sorted(set(re.findall(pattern, plain_text(message))))
    assert len(links) == 1, f"expected one {path} link in {message['Subject']!r}: {links}"
    return links[0]


def expect_flash(page: Page, text: str) -> None:
    """A message the page announces politely (role=status) says ``text``."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()
