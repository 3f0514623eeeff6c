"""Browser tests: the app served for real, driven by Debian's chromium through Playwright.

* ``live_server`` serves the ``app`` of tests/conftest.py (fresh app, empty tables,
  the same test database, SQLite or PostgreSQL) with werkzeug on 127.0.0.1 and a
  free port, with CSRF protection on, so the real forms are exercised.
* ``browser``: one chromium for the whole session; ``page`` (1280x900) and
  ``phone_page`` (375x740, mobile) each get a fresh context, so no cookie leaks
  from one test to the next.
* Tests are marked ``browser``. Without /usr/bin/chromium (``make browser``
  installs it) they are skipped; with REQUIRE_BROWSER=1 (CI) any skipped
  browser test fails the run instead.

Playwright's own browser download is never used: chromium is launched from
``CHROMIUM`` through ``executable_path``.
"""

import os
import re
import shutil
import threading
from dataclasses import dataclass, field

import pytest
from flask import got_request_exception
from werkzeug.serving import WSGIRequestHandler, make_server

from meetingapp.extensions import db
from tests.factories import UserFactory

from .helpers import AXE_REPORTS, AXE_SCRIPT, SCREENSHOTS, snap

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# Each action or assertion waits at most this long (ms): failures come fast.
TIMEOUT_MS = 10_000


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "") not in ("", "0", "false", "no")


def _why_no_browser() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return (f"{CHROMIUM} is missing: run `make browser` (scripts/install-browser.sh) "
                "to install Debian's chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -r requirements-dev.txt"
    return None


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: runs in a real browser (chromium); skipped when it is missing, "
        "a failure when REQUIRE_BROWSER=1")


def pytest_collection_modifyitems(config, items):
    reason = _why_no_browser()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)
    if (report.skipped and _browser_required() and item.get_closest_marker("browser")
            and not hasattr(report, "wasxfail")):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(reason).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = (f"REQUIRE_BROWSER=1: browser tests must run, not be skipped. "
                           f"Skipped because: {reason}")


def pytest_terminal_summary(terminalreporter):
    reason = _why_no_browser()
    if reason and not _browser_required():
        terminalreporter.write_line(f"browser tests skipped: {reason}", yellow=True)


@pytest.fixture
def config_overrides():
    """The browser reaches the server as 127.0.0.1:<port>, not "localhost"; real CSRF."""
    return {"SERVER_NAME": None, "WTF_CSRF_ENABLED": True}


@dataclass
class LiveServer:
    url: str
    app: object
    errors: list = field(default_factory=list)


class _QuietHandler(WSGIRequestHandler):
    """No line per request (the browser makes many); errors are still logged."""

    def log_request(self, code="-", size="-"):
        pass


@pytest.fixture
def live_server(app):
    """The app served over HTTP in a thread on 127.0.0.1 and a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    # Links in e-mails and calendars are built from the public address: this server's.
    app.config["PUBLIC_URL"] = live.url

    def record(sender, exception, **extra):
        live.errors.append(exception)

    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    got_request_exception.disconnect(record, app)
    if live.errors:
        pytest.fail(f"the app raised while serving the browser: {live.errors!r}")


@pytest.fixture(scope="session")
def browser():
    """One headless chromium (Debian's) for the whole session."""
    from playwright.sync_api import sync_playwright

    reason = _why_no_browser()
    if reason:
        pytest.skip(reason)
    # The artefacts are those of the last run: no stale screenshot of a fixed failure.
    for folder in (SCREENSHOTS, AXE_REPORTS):
        shutil.rmtree(folder, ignore_errors=True)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


def _open_page(request, browser, live_server, name, **options):
    """A page in a fresh context that may only reach the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  reduced_motion="reduce", **options)
    context.set_default_timeout(TIMEOUT_MS)
    # axe-core arrives as an init script: the browser injects it outside the
    # page's Content-Security-Policy, which (rightly) refuses inline scripts.
    context.add_init_script(path=str(AXE_SCRIPT))
    outside, page_errors = [], []
    own = re.compile(r"^" + re.escape(live_server.url) + r"/")

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    # Everything a page loads comes from the app itself (vendored, no CDN).
    context.route(lambda url: not own.match(url) and not url.startswith("data:"), refuse)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(error))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            snap(page, f"FAILED-{request.node.name}-{name}")
        except Exception:  # a failure screenshot must not hide the failure
            pass
    context.close()
    assert not outside, f"pages tried to load from outside the app: {outside}"
    assert not page_errors, f"JavaScript errors on the page: {page_errors}"


@pytest.fixture
def page(request, browser, live_server):
    """A desktop page (1280x900) in a fresh browser context."""
    yield from _open_page(request, browser, live_server, "desktop", viewport=DESKTOP)


@pytest.fixture
def phone_page(request, browser, live_server):
    """A phone-sized page (375x740, mobile, touch) in a fresh browser context."""
    yield from _open_page(request, browser, live_server, "phone", viewport=PHONE,
                          is_mobile=True, has_touch=True)


@pytest.fixture
def staff_user(app):
    """A staff account (password tests.factories.PASSWORD), readable outside the context."""
    with app.app_context():
        user = UserFactory(role="staff", email="staff@example.org", name="Staff Member")
        db.session.expunge(user)
    return user
