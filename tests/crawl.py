"""Every page of the app reached as each person would: the data and the crawler.

Shared by tests/test_html_valid.py (each page checked by vnu) and
tests/browser/test_axe_pages.py (each page checked by axe-core in chromium).

A meeting is set up as it would be a few weeks before it opens: an agenda published with
sessions, items and speakers, organisations invited (accepted, not yet answered, declined),
delegates registered through the portal's form (one approved, one pending, one rejected),
a check-in, an outcome with a commitment, an activity report and a proposal, mail in the
outbox, an audit export job (``meeting_with_everything``). Staff, representative and
delegate pages are then reached as each person would (``crawls``): from a few entry pages,
following every link of each page (downloads aside), one page per kind of address (ids
and query values aside, two at most). ``crawl`` takes the way a page is fetched (a Flask
test client, a real browser) as a function.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

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

LANGUAGES = ("en", "ar")
# Addresses that are files, not pages, or that only answer a POST.
NOT_PAGES = re.compile(r"\.(ics|pdf|csv|xlsx|docx|eml|json)$|/download$|^/(static|bootstrap)/")
PER_KIND = 2  # pages kept per kind of address (ids and query values aside)
MAX_PAGES = 150  # per person and language: a runaway crawl fails instead of hanging


# ----- The data -----

def meeting_with_everything(app, staff, representative):
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


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        value = dict(attrs).get("id")
        if value is not None:
            self.ids.append(value)


def duplicate_ids(html: str) -> list[str]:
    """The ids that more than one element of the page carries."""
    parser = _Ids()
    parser.feed(html)
    return sorted({i for i in parser.ids if parser.ids.count(i) > 1})


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def kind(url: str) -> str:
    """The address with its ids and query values taken out: one kind of page."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+", "/N", parts.path)
    path = re.sub(r"/(i|d)/[^/]+", r"/\1/T", path)
    keys = sorted({q.split("=", 1)[0] for q in parts.query.split("&") if q})
    return path + ("?" + "&".join(keys) if keys else "")


# fetch(url) -> (status, mimetype, html)
Fetch = Callable[[str], tuple[int, str, str]]


def crawl(fetch: Fetch, seeds, allowed, label: str = "",
          per_kind_limit: int = PER_KIND) -> list[tuple[str, int, str]]:
    """Visit ``seeds`` then every internal link under ``allowed`` prefixes.

    At most ``per_kind_limit`` pages of each kind of address. Returns (url, status, html)
    of each HTML page reached, in the order visited.
    """
    queue = list(seeds)
    seen_urls, per_kind, pages = set(), {}, []
    visited = 0
    while queue:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        url_kind = kind(url)
        if per_kind.get(url_kind, 0) >= per_kind_limit:
            continue
        per_kind[url_kind] = per_kind.get(url_kind, 0) + 1
        visited += 1
        assert visited <= MAX_PAGES, f"more than {MAX_PAGES} pages reached: {sorted(seen_urls)}"
        status, mimetype, html = fetch(url)
        assert status == 200, f"{label} {url}: {status}"
        if mimetype != "text/html":
            continue
        pages.append((url, status, html))
        for href in links(html):
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
    return pages


# GET addresses that are not pages of their own: files, feeds, probes, redirects.
NOT_PAGE_RULES = re.compile(r"\.(ics|pdf|csv|xlsx|json|docx|eml|ico)$|/download$|"
                            r"^/(static|bootstrap)/|^/(healthz|readyz)$|^/$|"
                            r"/registrations/letters/N$")


def page_kinds(app) -> set[str]:
    """The kind of every page the app serves on GET (as ``kind`` names a reached address)."""
    kinds = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        path = re.sub(r"<int:[^>]+>", "N", rule.rule)
        path = re.sub(r"/(i|d)/<token>", r"/\1/T", path)
        choices = re.fullmatch(r"(.*)<any\(([^)]*)\):\w+>(.*)", path)
        paths = ([choices[1] + c.strip() + choices[3] for c in choices[2].split(",")]
                 if choices else [path])
        kinds.update(p for p in paths if not NOT_PAGE_RULES.search(p))
    return kinds


def crawls(ids) -> dict[str, tuple[list[str], tuple[str, ...]]]:
    """Per person ("admin", "checkin", "representative"): (entry pages, prefixes followed).

    The representative's crawl starts from the personal links of three organisations and
    from the page of a delegate (``/d/<token>``), so it covers the delegate's pages too.
    """
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
    return {"admin": (staff_seeds, staff_prefixes),
            "checkin": (["/desk", "/checkin/"], ("/checkin", "/desk")),
            "representative": (portal_seeds, ("/i/", "/d/"))}


def error_pages(ids) -> list[tuple[str, str, int]]:
    """(person, url, status) of pages that answer with an error, or the login page."""
    return [("anonymous", "/login", 200), ("anonymous", "/no-such-page", 404),
            ("anonymous", "/i/not-a-link", 404),
            ("anonymous", f"/d/{ids['rejected_delegate']}", 410),
            ("checkin", "/users/", 403), ("admin", "/logout", 405)]


def invalid_forms(ids) -> list[tuple[str, str]]:
    """(person, url) of forms to send back with their errors (is-invalid, the messages)."""
    meeting = f"/meetings/{ids['meeting']}"
    return [("anonymous", "/login"), ("admin", "/meetings/new"),
            ("admin", "/organisations/new"), ("admin", "/users/new"),
            ("admin", f"{meeting}/agenda/items/new"), ("admin", f"{meeting}/outcomes/new"),
            ("representative", f"/i/{ids['au']}/delegates/new"),
            ("representative", f"/i/{ids['au']}/proposals/topic")]


def _client_fetch(client) -> Fetch:
    def fetch(url):
        response = client.get(url)
        return response.status_code, response.mimetype, response.get_data(as_text=True)
    return fetch


def all_pages(app, client, ids) -> list[tuple[str, str, int, str]]:
    """(language, url, status, html) of every page reached by Flask test clients.

    ``client`` is the representative's (anonymous) test client.
    """
    people = {"admin": _client_for(app, "admin"), "checkin": _client_for(app, "checkin"),
              "representative": client}
    pages = []
    for language in LANGUAGES:
        people["anonymous"] = app.test_client()
        for c in people.values():
            c.set_cookie("language", language, domain="localhost")
        # Pages as they are served: with their forms' CSRF fields (the tests turn CSRF off
        # to post forms; the invalid forms below are posted without it).
        app.config["WTF_CSRF_ENABLED"] = True
        for person, (seeds, prefixes) in crawls(ids).items():
            pages += [(language, url, status, html) for url, status, html in
                      crawl(_client_fetch(people[person]), seeds, prefixes, language)]
        for person, url, status in error_pages(ids):
            response = people[person].get(url)
            assert response.status_code == status, f"{language} {url}: {response.status_code}"
            pages.append((language, url, status, response.get_data(as_text=True)))
        app.config["WTF_CSRF_ENABLED"] = False
        # Forms sent back with their errors (is-invalid, aria-invalid, the messages).
        for person, url in invalid_forms(ids):
            response = people[person].post(url, data={"email": "not an address"})
            assert response.status_code in (200, 400, 422), f"{language} POST {url}: " \
                f"{response.status_code}"
            html = response.get_data(as_text=True)
            assert "is-invalid" in html or 'role="alert"' in html, f"{language} POST {url}"
            pages.append((language, f"POST {url}", response.status_code, html))
    return pages
