"""Every page passes axe-core (no serious or critical violation), in a real browser.

The meeting of tests/crawl.py (the one whose pages vnu checks in tests/test_html_valid.py)
is built, the app is served by ``live_server`` and each person opens it in chromium with
their own cookies: the administrator and the check-in operator sign in through the login
form, the representative (and the delegate) follow their personal links. Every page the
crawler reaches is opened and axe-core runs on it, in English and in Arabic (right to
left); the error pages and forms sent back with their errors are checked too.

One browser context per person and language; a screenshot only of a page that fails.
All the violations found (every impact) and the pages checked are kept in
test-artifacts/axe/all-pages.json; those of serious or critical impact fail the test,
listed page by page (page, rule, target, help).

axe-core 4.14 leaves Arabic text out of its colour-contrast rule (its icon-ligature
heuristic takes joined Arabic letters for an icon font), so the contrast of the Arabic
pages is checked through the English ones: the same styles, Bootstrap's RTL build aside.
"""

import json
import re
import time

import pytest
from playwright.sync_api import expect

from meetingapp.extensions import db
from tests.conftest import _client_for
from tests.crawl import (
    LANGUAGES,
    PER_KIND,
    crawl,
    crawls,
    error_pages,
    invalid_forms,
    kind,
    meeting_with_everything,
)
from tests.factories import UserFactory

from .conftest import DESKTOP, TIMEOUT_MS
from .helpers import AXE_REPORTS, AXE_SCRIPT, FAILING_IMPACTS, run_axe, sign_in, snap

pytestmark = pytest.mark.browser

# Pages kept per kind of address, per person and language, when fewer than PER_KIND (two).
# The staff's pages in Arabic: one of each kind (82 pages instead of 136), so the run stays
# well under three minutes on a busy two-CPU machine (about 110 s quiet with two of each).
PER_KIND_LIMIT = {("admin", "ar"): 1}
# Kinds of address the crawl must reach, per person (a broken link list would show here).
EXPECTED = {
    "admin": ("/meetings/N/registrations/N", "/meetings/N/agenda/items/N/edit",
              "/meetings/N/outcomes/N", "/meetings/N/report/contributions/N",
              "/checkin/N", "/checkin/N/checkins/N/undo", "/mail/N", "/jobs/N",
              "/organisations/N/edit", "/users/N/edit"),
    "checkin": ("/checkin/N",),
    "representative": ("/i/T", "/i/T/delegates/new", "/i/T/proposals/N", "/d/T"),
}

# Send the page's main form back with errors: required fields emptied, the browser's own
# validation off (as the test client's POST of tests/crawl.py does, CSRF token included).
SUBMIT_INVALID = """() => {
    const forms = [...document.querySelectorAll('form')]
        .filter(f => f.method === 'post' && !f.closest('.language-switcher, header, nav'));
    const form = forms.sort((a, b) => b.elements.length - a.elements.length)[0];
    form.noValidate = true;
    for (const el of form.elements) {
        if (el.type === 'email') el.value = 'not an address';
        else if (el.required && 'value' in el && el.type !== 'hidden') el.value = '';
    }
    const submit = form.querySelector(
        'button[type=submit], button:not([type]), input[type=submit]');
    form.requestSubmit(submit || undefined);
}"""


def _build(app):
    """The meeting of tests/crawl.py, built with test clients (CSRF off while it is built),
    and the accounts that sign in through the form: admin@ and checkin@example.org."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        ids = meeting_with_everything(app, _client_for(app, "staff"), app.test_client())
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        for role in ("admin", "checkin"):
            UserFactory(role=role, email=f"{role}@example.org", name=f"The {role}")
        db.session.commit()
    return ids


def _describe(where: str, violation: dict) -> list[str]:
    lines = []
    for node in violation["nodes"]:
        target = " ".join(str(t) for t in node["target"])
        html = re.sub(r"\s+", " ", node["html"])[:160]
        lines.append(f"{where}: [{violation['impact']}] {violation['id']} on {target}\n"
                     f"      {html}\n      {violation['help']} ({violation['helpUrl']})")
    return lines


class _Session:
    """One person's browser context in one language; each page opened is checked by axe."""

    def __init__(self, browser, live_server, person, language, found, failures):
        self.person, self.language = person, language
        self.found, self.failures = found, failures
        self.context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                           reduced_motion="reduce", viewport=DESKTOP)
        self.context.set_default_timeout(TIMEOUT_MS)
        # axe-core as an init script: outside the page's Content-Security-Policy.
        self.context.add_init_script(path=str(AXE_SCRIPT))
        self.page = self.context.new_page()
        self.page_errors = []
        self.page.on("pageerror", lambda error: self.page_errors.append(
            f"{language} {person} {self.page.url}: {error}"))
        if person in ("admin", "checkin"):
            sign_in(self.page, f"{person}@example.org")  # in English, the form's labels
        self.context.add_cookies([{"name": "language", "value": language,
                                   "url": live_server.url}])
        self.pages = []

    def check(self, label: str) -> None:
        """Run axe on the page as it is; record what it finds."""
        results = run_axe(self.page)
        self.pages.append(label)
        where = f"{self.language} {self.person} {label}"
        failing = False
        for violation in results["violations"]:
            self.found.append({"language": self.language, "person": self.person,
                               "page": label, "id": violation["id"],
                               "impact": violation["impact"], "help": violation["help"],
                               "targets": [n["target"] for n in violation["nodes"]]})
            if violation["impact"] in FAILING_IMPACTS:
                failing = True
                self.failures.extend(_describe(where, violation))
        if failing:
            snap(self.page, f"axe-{self.language}-{self.person}-{label}")

    def fetch(self, url: str):
        response = self.page.goto(url)
        mimetype = response.headers.get("content-type", "").split(";")[0].strip()
        if mimetype != "text/html":
            return response.status, mimetype, ""
        self.check(url)
        return response.status, mimetype, self.page.content()

    def error_page(self, url: str, status: int) -> None:
        response = self.page.goto(url)
        assert response.status == status, f"{self.language} {url}: {response.status}"
        self.check(url)

    def invalid_form(self, url: str) -> None:
        self.page.goto(url)
        with self.page.expect_navigation():
            self.page.evaluate(SUBMIT_INVALID)
        invalid = self.page.locator(".is-invalid, [role=alert]")
        expect(invalid.first).to_be_attached()
        self.check(f"POST {url}")

    def close(self):
        self.context.close()


def test_every_page_passes_axe(app, live_server, browser):
    started = time.monotonic()
    ids = _build(app)
    built = time.monotonic()
    found, failures, page_errors, covered = [], [], [], {}
    for language in LANGUAGES:
        sessions = {}
        try:
            for person, (seeds, prefixes) in crawls(ids).items():
                session = sessions[person] = _Session(browser, live_server, person, language,
                                                      found, failures)
                limit = PER_KIND_LIMIT.get((person, language), PER_KIND)
                pages = crawl(session.fetch, seeds, prefixes, f"{language} {person}", limit)
                kinds = {kind(url) for url, _, _ in pages}
                for expected in EXPECTED[person]:
                    assert expected in kinds, \
                        f"{language} {person}: {expected} not reached; reached {sorted(kinds)}"
            sessions["anonymous"] = _Session(browser, live_server, "anonymous", language,
                                             found, failures)
            for person, url, status in error_pages(ids):
                sessions[person].error_page(url, status)
            for person, url in invalid_forms(ids):
                sessions[person].invalid_form(url)
        finally:
            for person, session in sessions.items():
                covered[f"{language} {person}"] = session.pages
                page_errors += session.page_errors
                session.close()

    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS / "all-pages.json").write_text(
        json.dumps({"pages": covered, "violations": found}, indent=2, ensure_ascii=False),
        encoding="utf-8")
    counts = {who: len(labels) for who, labels in covered.items()}
    print(f"\naxe on {sum(counts.values())} pages {counts}: data {built - started:.1f}s, "
          f"pages {time.monotonic() - built:.1f}s; {len(found)} violations of any impact")
    assert not page_errors, "JavaScript errors on the pages:\n" + "\n".join(page_errors)
    assert not failures, (
        f"{len(failures)} serious or critical axe-core violations (page, rule, target, "
        f"help):\n" + "\n".join(failures))
