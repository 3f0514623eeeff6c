"""The whole journey, end to end, in a real browser, in English and in Arabic.

Staff sign in, create a meeting, open its registration and invite an organisation;
the representative opens the link in the e-mail (the console backend's .eml file),
accepts and registers two delegates; staff approve one; the delegate opens their
page from the approval e-mail, downloads the calendar file and shows the QR code;
the check-in desk takes the code as a handheld scanner types it; staff record an
outcome of the organisation and download the compiled report (a background job).

Each person has their own browser and first picks the language with the switcher;
every expected text goes through the app's catalogue (``t``), so the Arabic run
asserts Arabic text once the catalogue is translated. Every screen is kept as a
screenshot (test-artifacts/screenshots/journey-<language>-NN-*.png) and checked
with axe-core.
"""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from meetingapp.jobs.dispatch import wait_for_threads
from tests.factories import ContactFactory, OrganisationFactory, UserFactory

from .helpers import display_name, snap
from .journey import (
    Steps,
    assert_language,
    choose_language,
    emails_to,
    expect_flash,
    link_in,
    people,
    plain_text,
    sign_in,
    t,
    tn,
)

pytestmark = pytest.mark.browser

ZONE = "Europe/Zurich"
MEETING_TITLE = ("Seventh Special Meeting of the Counter-Terrorism Committee with "
                 "International, Regional and Sub-regional Organisations")
VENUE = "Palais des Nations"
ADDRESS = "8-14 Avenue de la Paix, 1211 Geneva 10, Switzerland"
ORGANISATION = "League of Arab States"
ACRONYM = "LAS"
ORGANISATION_LABEL = f"{ORGANISATION} ({ACRONYM})"
FOCAL_POINT = "focal.point@las.example.org"
STAFF = "amina.haddad@un.example.org"
DESK = "tomas.ferreira@un.example.org"
# The delegate approved: an Arabic name, head of the delegation.
HEAD = {"title": "H.E. Mr.", "given_name": "أحمد", "family_name": "المنصوري",
        "role": "head", "position": "Director, Legal Affairs Department",
        "nationality": "EG", "language": "ar", "email": "ahmed.almansouri@las.example.org",
        "phone": "+20 2 2575 0511"}
# The delegate left waiting.
ADVISER = {"title": "Ms.", "given_name": "Leila", "family_name": "Benali",
           "role": "adviser", "position": "Counter-terrorism adviser",
           "nationality": "MA", "language": "fr", "email": "leila.benali@las.example.org",
           "phone": "+212 537 76 12 34"}
OUTCOME_TEXT = ("The League of Arab States will share its regional guidelines on "
                "countering the financing of terrorism with the Committee.")
DUE_NOTE = "before the next Special Meeting"


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path / "mail-out"


@pytest.fixture
def config_overrides(config_overrides, mail_dir):
    """The browser conftest's settings, plus: e-mail as .eml files written during the
    request that sends them, and background jobs in a thread (a real wait)."""
    return {**config_overrides, "MAIL_BACKEND": "console", "MAIL_FILE_DIR": str(mail_dir),
            "MAIL_DELIVERY": "after_request", "MAIL_DELIVERY_SYNC": True,
            "JOBS_SYNC": False, "CELERY_BROKER_URL": None}


@pytest.fixture
def accounts(app, language):
    """The secretariat's staff member and the check-in operator; the organisation with its
    focal point (it corresponds in the journey's language)."""
    with app.app_context():
        UserFactory(role="staff", email=STAFF, name="Amina Haddad")
        UserFactory(role="checkin", email=DESK, name="Tomás Ferreira")
        organisation = OrganisationFactory(name=ORGANISATION, acronym=ACRONYM, kind="regional",
                                           region="Middle East and North Africa",
                                           language=language)
        ContactFactory(organisation=organisation, name="Khalid Al-Mansouri", title="Mr.",
                       email=FOCAL_POINT, is_focal_point=True)


@pytest.fixture
def open_person(request, browser, live_server, app):
    """``open_person(name)``: a fresh desktop browser for each person of the journey."""

    def on_failure(person):
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            try:
                snap(person.page, f"FAILED-{request.node.name}-{person.name}")
            except Exception:  # a failure screenshot must not hide the failure
                pass

    try:
        with people(browser, live_server.url, on_failure) as open_:
            yield open_
    finally:
        wait_for_threads(app)  # no report job still writing when the tables are emptied


def _wall_clock(moment: datetime) -> str:
    """What a datetime-local input takes."""
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_journey(language, app, live_server, mail_dir, accounts, open_person):
    steps = Steps(language)
    base = live_server.url
    tr = lambda msgid, **values: t(language, msgid, **values)  # noqa: E731

    today = datetime.now(ZoneInfo(ZONE)).replace(hour=0, minute=0, second=0, microsecond=0,
                                                 tzinfo=None)
    starts = (today + timedelta(days=45)).replace(hour=10)
    ends = starts.replace(hour=18)
    opens = (today - timedelta(days=2)).replace(hour=9)
    closes = (today + timedelta(days=30)).replace(hour=17)

    # ===== Staff: sign in, create the meeting, open its registration, invite =====
    staff = open_person("staff").page
    staff.goto("/login")
    choose_language(staff, language)
    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("Secretariat sign-in"))
    steps.check(staff, "staff-sign-in")
    sign_in(staff, language, STAFF)

    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("Meetings"))
    expect(staff.get_by_role("cell", name=tr("No meetings yet."))).to_be_visible()
    steps.check(staff, "staff-meetings")
    staff.get_by_role("link", name=tr("New meeting"), exact=True).click()

    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("New meeting"))
    staff.get_by_label(tr("Title"), exact=True).fill(MEETING_TITLE)
    staff.get_by_label(tr("Number in the series"), exact=True).fill("7")
    staff.get_by_label(tr("Delegates per organisation"), exact=True).fill("3")
    staff.get_by_label(tr("Venue"), exact=True).fill(VENUE)
    staff.get_by_label(tr("Address"), exact=True).fill(ADDRESS)
    staff.get_by_label(tr("Time zone"), exact=True).fill(ZONE)
    for label, moment in (("Starts", starts), ("Ends", ends), ("Registration opens", opens),
                          ("Registration closes", closes)):
        field = staff.get_by_label(tr(f"{label} (meeting's time zone)"), exact=True)
        field.fill(_wall_clock(moment))
    steps.check(staff, "staff-new-meeting-filled")
    staff.get_by_role("button", name=tr("Save"), exact=True).click()

    expect(staff).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_url = staff.url
    expect(staff.get_by_role("heading", level=1)).to_have_text(MEETING_TITLE)
    expect_flash(staff, tr("Meeting “%(title)s” created as a draft.", title=MEETING_TITLE))
    expect(staff.get_by_role("heading", level=2, exact=True,
                             name=tr("Status: %(badge)s", badge=tr("Draft")))).to_be_visible()
    steps.check(staff, "staff-meeting-draft")
    staff.get_by_role("button", name=tr("Open registration"), exact=True).click()

    expect(staff.get_by_role("heading", level=2, exact=True, name=tr(
        "Status: %(badge)s", badge=tr("Open for registration")))).to_be_visible()
    expect_flash(staff, tr(
        "“%(title)s” is now “%(status)s”.", title=MEETING_TITLE,
        status=tr("Open for registration")))
    steps.check(staff, "staff-meeting-open")
    staff.get_by_role("link", name=tr("Invite organisations"), exact=True).click()

    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("Invite organisations"))
    staff.get_by_label(tr("Or pick organisations"), exact=True).select_option(
        label=ORGANISATION_LABEL)
    expect(staff.get_by_label(tr("Send now?"), exact=True)).to_have_value("send")
    staff.get_by_role("button", name=tr("Preview"), exact=True).click()

    preview = staff.locator("#preview")
    expect(preview.get_by_role("row").filter(has_text=ORGANISATION_LABEL)).to_contain_text(
        FOCAL_POINT)
    expect(staff.get_by_role("main")).to_contain_text(tr(
        "The message, as %(recipient)s will receive it", recipient=FOCAL_POINT))
    steps.check(staff, "staff-invitation-preview")
    staff.get_by_role("button", name=tr("Send invitations"), exact=True).click()

    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("Invitations"))
    expect_flash(staff, tr(
        "%(invited)s invitation(s) sent; %(skipped)s organisation(s) skipped.",
        invited=1, skipped=0))
    invitation_row = staff.locator("#invitations").get_by_role("row").filter(
        has_text=ORGANISATION_LABEL)
    expect(invitation_row).to_contain_text(FOCAL_POINT)
    steps.check(staff, "staff-invitations")

    # ===== The representative: the link in the e-mail, the answer, the delegation =====
    [invitation_email] = emails_to(mail_dir, FOCAL_POINT)
    assert MEETING_TITLE in invitation_email["Subject"]
    assert ORGANISATION in plain_text(invitation_email)
    invitation_link = link_in(invitation_email, base, "/i/")

    representative = open_person("representative").page
    representative.goto(invitation_link)
    choose_language(representative, language)
    expect(representative).to_have_url(invitation_link)
    expect(representative.get_by_role("heading", level=1)).to_have_text(ORGANISATION_LABEL)
    expect(representative.get_by_role("heading", level=2, name=MEETING_TITLE)).to_be_visible()
    answer = representative.get_by_role("region", name=tr("Your answer"), exact=True)
    expect(answer).to_contain_text(tr("The secretariat is waiting for your organisation's "
                                      "answer."))
    delegation = representative.get_by_role("region", name=tr("Your delegation"), exact=True)
    waiting = ("Once your organisation has accepted the invitation, you can register its "
               "delegation here (up to %(count)s delegates).")
    expect(delegation).to_contain_text(tn(language, waiting, waiting, 3))
    steps.check(representative, "representative-invitation")
    answer.get_by_role("button", name=tr("Accept the invitation"), exact=True).click()

    expect(representative.get_by_role("status").filter(has_text=tr(
        "Thank you: your organisation's acceptance is recorded."))).to_be_visible()
    expect(answer).to_contain_text(re.sub(r"<[^>]+>", "", tr(
        "<strong>Accepted</strong>: %(organisation)s will attend.",
        organisation="League of Arab States")))
    expect(answer.get_by_role("button", name=tr("Accept the invitation"))).to_have_count(0)
    expect(delegation).to_contain_text(tr("No delegate is registered yet."))
    steps.check(representative, "representative-accepted")

    for number, delegate in enumerate((HEAD, ADVISER), start=1):
        delegation.get_by_role("link", name=tr("Register a delegate"), exact=True).click()
        expect(representative.get_by_role("heading", level=1)).to_have_text(
            tr("Register a delegate"))
        representative.get_by_label(tr("Form of address"), exact=True).fill(delegate["title"])
        representative.get_by_label(tr("Given name"), exact=True).fill(delegate["given_name"])
        representative.get_by_label(tr("Family name"), exact=True).fill(
            delegate["family_name"])
        representative.get_by_label(tr("Role in the delegation"), exact=True).select_option(
            delegate["role"])
        representative.get_by_label(tr("Position"), exact=True).fill(delegate["position"])
        representative.get_by_label(tr("Nationality"), exact=True).select_option(
            delegate["nationality"])
        representative.get_by_label(tr("Preferred language"), exact=True).select_option(
            delegate["language"])
        representative.get_by_label(tr("E-mail address"), exact=True).fill(delegate["email"])
        representative.get_by_label(tr("Phone"), exact=True).fill(delegate["phone"])
        representative.get_by_label(tr("Attendance"), exact=True).select_option("in_person")
        representative.get_by_label(tr("May appear in the published list of participants"),
                                    exact=True).check()
        steps.check(representative, f"representative-delegate-{number}-filled")
        representative.get_by_role("button", name=tr("Register"), exact=True).click()

        expect(representative).to_have_url(invitation_link + "#delegation")
        expect(representative.get_by_role("status").filter(has_text=tr(
            "%(name)s is registered and awaits the secretariat's approval.",
            name=display_name(delegate, language)))).to_be_visible()

    delegates = delegation.get_by_role("list", name=tr(
        "Delegates of %(organisation)s", organisation=ORGANISATION), exact=True)
    expect(delegates.get_by_role("listitem")).to_have_count(2)
    for delegate in (HEAD, ADVISER):
        item = delegates.get_by_role("listitem").filter(has_text=display_name(delegate, language))
        expect(item).to_contain_text(delegate["email"])
        expect(item).to_contain_text(tr("Awaiting approval"))
    expect(delegates.get_by_role("listitem").first).to_contain_text(tr("Head of delegation"))
    steps.check(representative, "representative-delegation")

    # ===== Staff: approve the head of the delegation =====
    staff.goto(meeting_url)
    assert_language(staff, language)
    registrations = staff.get_by_role("region", name=tr("Registrations"), exact=True)
    expect(registrations).to_contain_text(
        f"2 {tr('Awaiting approval').lower()}")
    registrations.get_by_role("link", name=tr("All registrations"), exact=True).click()

    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("Registrations"))
    table = staff.locator("#registrations")
    for delegate in (HEAD, ADVISER):
        row = table.get_by_role("row").filter(has_text=display_name(delegate, language))
        expect(row).to_contain_text(tr("Awaiting approval"))
    steps.check(staff, "staff-registrations")
    table.get_by_role("link", name=display_name(HEAD, language), exact=True).click()

    expect(staff.get_by_role("heading", level=1)).to_have_text(display_name(HEAD, language))
    expect(staff.get_by_role("main")).to_contain_text(HEAD["email"])
    steps.check(staff, "staff-registration-detail")
    staff.get_by_role("region", name=tr("Approve"), exact=True).get_by_role("button").click()

    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("Registrations"))
    expect_flash(staff, tr(
        "%(name)s approved; the personal link is on its way by e-mail.",
        name=display_name(HEAD, language)))
    expect(table.get_by_role("row").filter(has_text=display_name(HEAD, language))).to_contain_text(
        tr("Approved"))
    row = table.get_by_role("row").filter(has_text=display_name(ADVISER, language))
    expect(row).to_contain_text(tr("Awaiting approval"))
    steps.check(staff, "staff-approved")
    assert emails_to(mail_dir, ADVISER["email"]) == [], "only the approved delegate is written to"

    # ===== The delegate: their page, the calendar file, the QR code =====
    [approval_email] = emails_to(mail_dir, HEAD["email"])
    approval_text = plain_text(approval_email)
    assert MEETING_TITLE in approval_text
    delegate_link = link_in(approval_email, base, "/d/")
    emailed_code = re.search(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){3}\b", approval_text)
    assert emailed_code, "the approval e-mail gives the check-in code"

    delegate_page = open_person("delegate").page
    delegate_page.goto(delegate_link)
    choose_language(delegate_page, language)
    expect(delegate_page.get_by_role("heading", level=1)).to_have_text(display_name(HEAD, language))
    expect(delegate_page.get_by_role("main")).to_contain_text(ORGANISATION)
    expect(delegate_page.get_by_role("status").filter(has_text=tr(
        "Registration approved."))).to_be_visible()
    expect(delegate_page.get_by_role("heading", level=2, name=MEETING_TITLE)).to_be_visible()
    expect(delegate_page.get_by_role("main")).to_contain_text(VENUE)
    steps.check(delegate_page, "delegate-page")

    calendar = delegate_page.get_by_role("region", name=tr("Add to calendar"), exact=True)
    with delegate_page.expect_download() as download_info:
        calendar.get_by_role("link", name=tr("My calendar (.ics)"), exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    _assert_calendar(download.path().read_bytes(), starts, ends)

    badge = delegate_page.get_by_role("region", name=tr("Your badge QR code"), exact=True)
    qr_image = badge.get_by_role("img")
    expect(qr_image).to_be_visible()
    caption = badge.locator("figcaption")
    expect(caption).to_contain_text(emailed_code.group(0))
    code = _read_qr(qr_image.screenshot()) or emailed_code.group(0)
    assert code.replace("-", "") == emailed_code.group(0).replace("-", "")
    steps.check(delegate_page, "delegate-badge")

    # ===== The check-in desk: the scanner types the code and Enter =====
    desk = open_person("check-in desk").page
    desk.goto("/login")
    choose_language(desk, language)
    sign_in(desk, language, DESK)
    expect(desk.get_by_role("heading", level=1)).to_have_text(tr("Check-in desks"))
    steps.check(desk, "desk-meetings")
    desk.get_by_role("link", name=re.compile(re.escape(MEETING_TITLE))).click()

    expect(desk.get_by_role("heading", level=1)).to_have_text(tr("Check-in desk"))
    expect(desk.locator("#counter-checked-in")).to_have_text("0")
    expect(desk.locator("#counter-expected")).to_have_text("1")
    scan_field = desk.get_by_label(tr("Badge code"), exact=True)
    expect(scan_field).to_be_focused()  # autofocus: the scanner types straight in
    steps.check(desk, "desk-ready")
    scan_field.press_sequentially(code, delay=5)
    scan_field.press("Enter")

    answer_box = desk.get_by_role("status").filter(has_text=display_name(HEAD, language))
    expect(answer_box).to_contain_text(tr("Checked in"))
    expect(answer_box).to_contain_text(ORGANISATION_LABEL)
    expect(answer_box).to_contain_text(tr("Head of delegation"))
    expect(desk.locator("#answer-alert")).to_be_empty()  # nothing went wrong
    expect(scan_field).to_have_value("")  # ready for the next badge
    expect(desk.locator("#counter-checked-in")).to_have_text("1")
    steps.check(desk, "desk-checked-in")

    # ===== Staff: an outcome of the organisation, the compiled report =====
    staff.goto(meeting_url)
    assert_language(staff, language)
    expect(staff.get_by_role("region", name=tr("Badges and check-in"), exact=True)) \
        .to_contain_text(re.compile(r"\b1\D+1\b"))
    staff.get_by_role("link", name=tr("Add an outcome"), exact=True).click()

    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("Add an outcome"))
    staff.get_by_label(tr("Kind"), exact=True).select_option("commitment")
    staff.get_by_label(tr("Text"), exact=True).fill(OUTCOME_TEXT)
    staff.get_by_label(tr("Organisations concerned"), exact=True).select_option(
        label=ORGANISATION_LABEL)
    staff.get_by_label(tr("Owner organisation (commitments and action items)"),
                       exact=True).select_option(label=ORGANISATION_LABEL)
    staff.get_by_label(tr("Due (in words)"), exact=True).fill(DUE_NOTE)
    steps.check(staff, "staff-outcome-filled")
    staff.get_by_role("button", name=tr("Save"), exact=True).click()

    expect_flash(staff, tr("The outcome is recorded."))
    expect(staff.get_by_role("main")).to_contain_text(OUTCOME_TEXT)
    expect(staff.get_by_role("main")).to_contain_text(ORGANISATION)
    steps.check(staff, "staff-outcome")

    staff.goto(meeting_url)
    staff.get_by_role("link", name=tr("Activity report"), exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(
        tr("Report on the activities of organisations"))
    steps.check(staff, "staff-report")
    staff.get_by_role("button", name=tr("Compile as DOCX"), exact=True).click()

    expect(staff).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("Compiled report"))
    download_link = staff.get_by_role("link", name=re.compile("^" + re.escape(tr("Download"))))
    expect(download_link).to_be_visible(timeout=30_000)  # the job runs in the background
    expect(staff.locator("#job-status")).to_have_text(tr("Ready"))
    expect(staff.get_by_role("progressbar")).to_have_attribute("value", "100")
    steps.check(staff, "staff-report-ready")
    with staff.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    _assert_report(download.path().read_bytes())


def _assert_calendar(data: bytes, starts: datetime, ends: datetime) -> None:
    """The delegate's calendar holds the meeting, on the meeting's wall clock."""
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1, events
    event = events[0]
    assert str(event["SUMMARY"]) == MEETING_TITLE
    zone = ZoneInfo(ZONE)
    assert event.decoded("DTSTART") == starts.replace(tzinfo=zone)
    assert event.decoded("DTEND") == ends.replace(tzinfo=zone)
    assert VENUE in str(event["LOCATION"])
    assert str(event.get("STATUS", "CONFIRMED")) != "CANCELLED"


def _read_qr(png: bytes) -> str | None:
    """The text of the QR code in a screenshot, or None without zxing-cpp installed."""
    try:
        import zxingcpp
    except ImportError:
        return None
    from PIL import Image

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1, "the QR code on the delegate's page cannot be read"
    return results[0].text


def _assert_report(data: bytes) -> None:
    """The compiled report names the meeting and, in the annex, the organisation's commitment."""
    from docx import Document

    document = Document(io.BytesIO(data))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    assert MEETING_TITLE in texts
    assert any(VENUE in text for text in texts)
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    assert ORGANISATION_LABEL in headings, headings
    [line] = [text for text in texts if OUTCOME_TEXT in text]
    assert ORGANISATION_LABEL in line  # the owner
    assert DUE_NOTE in line
