"""The six official languages of the United Nations, in a real browser.

* An organisation's representative completes their part (open the personal link,
  pick the language with the switcher, accept, register a delegate, see the
  delegate listed as awaiting approval) in Chinese, French, Russian and Spanish;
  English and Arabic are covered by the full journey (test_journey.py).
* In Arabic (right to left) at 375 px: the representative's page, the registration
  form, the delegate's own page and the check-in desk have ``dir=rtl``, do not
  scroll sideways, pass axe-core and are kept as screenshots.

Every expected text goes through the app's catalogue (``t``/``tn`` of journey.py);
on top of that, each screen is searched for English texts of the catalogue that
should have been translated (``assert_translated``).
"""

import re
from functools import cache

import pytest
from playwright.sync_api import Page, expect

from meetingapp.badges.codes import code_row, current_code
from meetingapp.extensions import db
from meetingapp.models import Delegate, Invitation
from meetingapp.models.report import DEFAULT_REPORT_SECTIONS
from meetingapp.registrations.notify import issue_page_link
from tests.factories import ApprovedDelegateFactory, OrganisationFactory, UserFactory
from tests.invitation_helpers import (
    invitation_with_token,
    organisation_with_focal_point,
    upcoming_meeting,
)

from .helpers import assert_accessible, display_name, snap
from .journey import (
    LANGUAGE_NAMES,
    _catalogue,
    assert_language,
    choose_language,
    sign_in,
    t,
    tn,
)

pytestmark = pytest.mark.browser

MEETING_TITLE = ("Eighth Special Meeting of the Counter-Terrorism Committee with "
                 "International, Regional and Sub-regional Organisations")
VENUE = "Palais des Nations"
ADDRESS = "8-14 Avenue de la Paix, 1211 Geneva 10, Switzerland"
QUOTA = 3
# Languages written in another script than English: any English sentence left shows.
NON_LATIN = {"ar", "zh", "ru"}
DESK_USER = "desk.operator@un.example.org"

# Per language: the organisation that corresponds in it and the delegate its
# representative registers, named in the language's own script.
ORGANISATIONS = {
    "zh": ("Shanghai Cooperation Organisation", "SCO"),
    "fr": ("Organisation internationale de la Francophonie", "OIF"),
    "ru": ("Collective Security Treaty Organization", "CSTO"),
    "es": ("Organization of American States", "OAS"),
    "ar": ("League of Arab States", "LAS"),
}
DELEGATES = {
    "zh": {"title": "Mr.", "given_name": "小明", "family_name": "王", "role": "head",
           "position": "Director, Regional Anti-Terrorist Structure", "nationality": "CN",
           "email": "wang.xiaoming@sco.example.org", "phone": "+86 10 6532 9807"},
    "fr": {"title": "Mme", "given_name": "Anne-Sophie", "family_name": "Lefèvre",
           "role": "delegate", "position": "Conseillère juridique", "nationality": "FR",
           "email": "anne-sophie.lefevre@oif.example.org", "phone": "+33 1 44 37 33 00"},
    "ru": {"title": "Ms.", "given_name": "Ирина", "family_name": "Петрова", "role": "head",
           "position": "Head of the Secretariat", "nationality": "RU",
           "email": "irina.petrova@csto.example.org", "phone": "+7 495 606 97 75"},
    "es": {"title": "Sr.", "given_name": "José", "family_name": "Álvarez",
           "role": "adviser", "position": "Asesor en materia de terrorismo",
           "nationality": "MX", "email": "jose.alvarez@oas.example.org",
           "phone": "+1 202 370 5000"},
    "ar": {"title": "H.E. Mr.", "given_name": "أحمد", "family_name": "المنصوري",
           "role": "head", "position": "مدير إدارة الشؤون القانونية", "nationality": "EG",
           "email": "ahmed.almansouri@las.example.org", "phone": "+20 2 2575 0511"},
}
# Each delegate's name as the pages of their representative's language show it: the form
# of address in that language, a Chinese name family name first and unspaced.
SHOWN = {"zh": "王小明先生", "fr": "Mme Anne-Sophie Lefèvre", "ru": "г-жа Ирина Петрова",
         "es": "Sr. José Álvarez", "ar": "سعادة السيد أحمد المنصوري"}
# The delegate already approved (their own page, the check-in desk), in the Arabic tests.
APPROVED = {"title": "Ms.", "given_name": "ليلى", "family_name": "بن علي", "role": "adviser",
            "position": "مستشارة في مكافحة الإرهاب", "nationality": "MA", "language": "ar",
            "email": "leila.benali@las.example.org", "phone": "+212 537 76 12 34"}


# ----- Data set up in the app -----

@pytest.fixture
def invitation(app, request):
    """A meeting open for registration and a sent invitation of the organisation that
    corresponds in ``language``: the invitation link's token."""
    language = request.getfixturevalue("language")
    name, acronym = ORGANISATIONS[language]
    with app.app_context():
        meeting = upcoming_meeting(title=MEETING_TITLE, venue=VENUE, address=ADDRESS,
                                   timezone="Europe/Zurich", delegates_per_organisation=QUOTA)
        organisation = organisation_with_focal_point(name=name, acronym=acronym,
                                                     kind="regional", language=language)
        _, token = invitation_with_token(meeting, organisation)
    return token


@pytest.fixture
def arabic_meeting(app):
    """For the Arabic phone tests: a meeting open for registration, the sent invitation
    of the League of Arab States (its token), an approved delegate of the League with
    their own page (its token) and check-in code, and a check-in operator."""
    name, acronym = ORGANISATIONS["ar"]
    with app.test_request_context():  # the delegate's link is built with url_for
        meeting = upcoming_meeting(title=MEETING_TITLE, venue=VENUE, address=ADDRESS,
                                   timezone="Europe/Zurich", delegates_per_organisation=QUOTA)
        organisation = organisation_with_focal_point(name=name, acronym=acronym,
                                                     kind="regional", language="ar")
        _, token = invitation_with_token(meeting, organisation)
        # Another organisation's delegation, already approved: the representative's
        # page above stays at "no delegate yet" for its own delegation.
        other = OrganisationFactory(name="Arab Interior Ministers Council", acronym="AIMC",
                                    kind="regional", language="ar")
        accepted_id, _ = invitation_with_token(meeting, other, status="accepted")
        delegate = ApprovedDelegateFactory(invitation=db.session.get(Invitation, accepted_id),
                                           **APPROVED)
        delegate = db.session.get(Delegate, delegate.id)
        page_link = issue_page_link(delegate)
        code = current_code(code_row(delegate))
        db.session.commit()
        UserFactory(role="checkin", email=DESK_USER, name="Tomás Ferreira")
        return {"meeting_id": meeting.id, "invitation_token": token,
                "delegate_token": page_link.rsplit("/", 1)[1], "code": code}


@pytest.fixture
def secretariat(app) -> str:
    """The secretariat's name, as configured: the footer shows it as written, in every
    language (a configured name, like the meeting's title, is not in the catalogue)."""
    return app.config["SECRETARIAT_NAME"]


# ----- Checks on each screen -----

@cache
def _english_texts(language: str) -> tuple[str, ...]:
    """Texts of the catalogue that ``language`` translates differently and that cannot be
    mistaken for data: no placeholder, no markup, at least two words."""
    texts = []
    for key, translated in _catalogue(language)._catalog.items():
        if not isinstance(key, str) or not key or not translated or translated == key:
            continue
        if "%" in key or "<" in key or " " not in key.strip() or len(key) < 12:
            continue
        texts.append(key)
    return tuple(sorted(texts, key=len, reverse=True))


# Names the delegate form's choice of name order shows as written, in every language.
NAME_EXAMPLES = ("Anne-Sophie Lefèvre", "Li Xiaolong")


def assert_translated(page: Page, language: str, data: tuple[str, ...] = ()) -> None:
    """No English text of the catalogue is left on the page (text, labels, tooltips),
    once the data shown as written (names, titles, addresses) is taken out."""
    shown = page.evaluate(
        """() => {
            const parts = [document.title, document.body.innerText];
            for (const el of document.querySelectorAll(
                    '[aria-label], [title], [placeholder], [alt], input[type=submit]')) {
                for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'value']) {
                    if (el.hasAttribute(a) && (a !== 'value' || el.type === 'submit')) {
                        parts.push(el.getAttribute(a));
                    }
                }
            }
            return parts.join('\\n');
        }""")
    shown = re.sub(r"\s+", " ", shown)
    for value in sorted((*data, *NAME_EXAMPLES), key=len, reverse=True):
        shown = shown.replace(value, " ")
    left = []
    for text in _english_texts(language):
        found = re.search(r"(?<!\w)" + re.escape(text) + r"(?!\w)", shown)
        if found:
            left.append(f"{text!r} in …{shown[max(0, found.start() - 60):found.end() + 60]}…")
    if language in NON_LATIN:
        # Texts the catalogue does not hold at all: a run of three Latin words or more.
        for found in re.finditer(r"[A-Za-z][a-z]+(?:[ ,()-]+[A-Za-z0-9][A-Za-z0-9]*){2,}",
                                 shown):
            left.append(f"{found.group(0)!r} (not from the catalogue) in "
                        f"…{shown[max(0, found.start() - 40):found.end() + 40]}…")
    assert not left, (f"{page.url}: English left untranslated in {language!r}:\n  "
                      + "\n  ".join(left))


def assert_no_horizontal_scroll(page: Page) -> None:
    """Nothing makes the document scroll sideways, on either side (right to left, what
    does not fit sticks out on the left)."""
    sizes = page.evaluate(
        """() => ({scrollWidth: document.scrollingElement.scrollWidth,
                   innerWidth: window.innerWidth,
                   clientWidth: document.documentElement.clientWidth})""")
    viewport = page.viewport_size["width"]
    if sizes["scrollWidth"] <= sizes["innerWidth"] and sizes["innerWidth"] <= viewport:
        return
    culprits = page.evaluate(
        """(width) => {
            const outside = (el) => {
                const box = el.getBoundingClientRect();
                return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
            };
            const clipped = (el) => {
                for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== 'visible') return true;
                }
                return false;
            };
            const out = [];
            for (const el of document.body.querySelectorAll('*')) {
                if (!outside(el) || clipped(el)) continue;
                const parent = el.parentElement;
                if (parent && parent !== document.body && outside(parent) && !clipped(parent)) {
                    continue;  // only the outermost element that sticks out
                }
                const box = el.getBoundingClientRect();
                out.push(el.outerHTML.replace(/\\s+/g, ' ').slice(0, 160) +
                         ` (left ${Math.round(box.left)}px, right ${Math.round(box.right)}px)`);
            }
            return out.slice(0, 10);
        }""",
        viewport)
    raise AssertionError(
        f"{page.url} scrolls sideways at {viewport}px: {sizes}. Elements that stick out:\n  "
        + "\n  ".join(culprits))


def check_screen(page: Page, language: str, name: str, data: tuple[str, ...] = (),
                 phone: bool = False) -> None:
    """The page is in ``language``, translated, accessible; kept as a screenshot."""
    assert_language(page, language)
    snap(page, name)
    if phone:
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert_no_horizontal_scroll(page)
    assert_accessible(page, name)
    assert_translated(page, language, data + tuple(LANGUAGE_NAMES.values()))


# ----- The representative, in Chinese, French, Russian and Spanish -----

def _fill_delegate(page: Page, language: str, delegate: dict) -> None:
    tr = lambda msgid: t(language, msgid)  # noqa: E731
    page.get_by_label(tr("Form of address"), exact=True).fill(delegate["title"])
    page.get_by_label(tr("Given name"), exact=True).fill(delegate["given_name"])
    page.get_by_label(tr("Family name"), exact=True).fill(delegate["family_name"])
    page.get_by_label(tr("Role in the delegation"), exact=True).select_option(delegate["role"])
    page.get_by_label(tr("Position"), exact=True).fill(delegate["position"])
    page.get_by_label(tr("Nationality"), exact=True).select_option(delegate["nationality"])
    page.get_by_label(tr("Preferred language"), exact=True).select_option(language)
    page.get_by_label(tr("E-mail address"), exact=True).fill(delegate["email"])
    page.get_by_label(tr("Phone"), exact=True).fill(delegate["phone"])
    page.get_by_label(tr("Attendance"), exact=True).select_option("in_person")
    page.get_by_label(tr("May appear in the published list of participants"),
                      exact=True).check()


ROLE_LABELS = {"head": "Head of delegation", "delegate": "Delegate", "adviser": "Adviser"}


def _representative(page: Page, language: str, token: str, prefix: str, secretariat: str,
                    phone: bool = False) -> None:
    """The representative's whole part, each screen checked and kept as ``prefix``-NN-*."""
    tr = lambda msgid, **values: t(language, msgid, **values)  # noqa: E731
    name, acronym = ORGANISATIONS[language]
    delegate = DELEGATES[language]
    data = (MEETING_TITLE, VENUE, ADDRESS, name, acronym, SHOWN[language],
            delegate["position"], delegate["email"], secretariat)
    screens = iter(range(1, 100))

    def check(what: str) -> None:
        check_screen(page, language, f"{prefix}-{next(screens):02d}-{what}", data, phone)

    link = f"/i/{token}"
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the browser asks en-GB
    choose_language(page, language)
    expect(page).to_have_url(re.compile(re.escape(link) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name} ({acronym})")
    expect(page.get_by_role("heading", level=2, name=MEETING_TITLE)).to_be_visible()
    answer = page.get_by_role("region", name=tr("Your answer"), exact=True)
    expect(answer).to_contain_text(tr("The secretariat is waiting for your organisation's "
                                      "answer."))
    delegation = page.get_by_role("region", name=tr("Your delegation"), exact=True)
    waiting = ("Once your organisation has accepted the invitation, you can register its "
               "delegation here (up to %(count)s delegates).")
    expect(delegation).to_contain_text(tn(language, waiting, waiting, QUOTA))
    check("invitation")
    answer.get_by_role("button", name=tr("Accept the invitation"), exact=True).click()

    expect(page.get_by_role("status").filter(has_text=tr(
        "Thank you: your organisation's acceptance is recorded."))).to_be_visible()
    expect(answer).to_contain_text(re.sub(r"<[^>]+>", "", tr(
        "<strong>Accepted</strong>: %(organisation)s will attend.", organisation=name)))
    expect(answer.get_by_role("button", name=tr("Accept the invitation"))).to_have_count(0)
    expect(delegation).to_contain_text(tr("No delegate is registered yet."))
    check("accepted")
    delegation.get_by_role("link", name=tr("Register a delegate"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Register a delegate"))
    check("delegate-form")
    _fill_delegate(page, language, delegate)
    check("delegate-form-filled")
    page.get_by_role("button", name=tr("Register"), exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(link) + "#delegation$"))
    expect(page.get_by_role("status").filter(has_text=tr(
        "%(name)s is registered and awaits the secretariat's approval.",
        name=SHOWN[language]))).to_be_visible()
    delegates = delegation.get_by_role("list", name=tr(
        "Delegates of %(organisation)s", organisation=name), exact=True)
    expect(delegates.get_by_role("listitem")).to_have_count(1)
    item = delegates.get_by_role("listitem").first
    expect(item).to_contain_text(SHOWN[language])
    expect(item).to_contain_text(delegate["email"])
    expect(item).to_contain_text(tr(ROLE_LABELS[delegate["role"]]))
    expect(item).to_contain_text(tr("Awaiting approval"))
    check("delegation")


@pytest.mark.parametrize("language", ["zh", "fr", "ru", "es"])
def test_representative_completes_their_part_in_the_language(language, page, invitation,
                                                             secretariat):
    _representative(page, language, invitation, f"languages-{language}-representative",
                    secretariat)


@pytest.mark.parametrize("language", ["ar", "zh", "fr", "ru", "es"])
def test_default_report_section_titles_are_in_the_language(language, page, invitation):
    """The report's default sections are stored with English titles; the representative
    reads them in the page's language (the contribution form, after acceptance)."""
    page.goto(f"/i/{invitation}")
    choose_language(page, language)
    page.get_by_role("button", name=t(language, "Accept the invitation"), exact=True).click()
    report = page.get_by_role("region", name=t(language, "Report on your organisation's "
                                                         "activities"), exact=True)
    for title in DEFAULT_REPORT_SECTIONS:
        expect(report.get_by_label(t(language, title), exact=True)).to_be_visible()
    labels = [label.strip() for label in report.locator("label").all_inner_texts()]
    assert not set(labels) & set(DEFAULT_REPORT_SECTIONS), labels


# ----- Arabic, right to left, on a phone (375 px) -----

def test_representative_pages_in_arabic_fit_a_phone(phone_page, arabic_meeting, secretariat):
    _representative(phone_page, "ar", arabic_meeting["invitation_token"],
                    "languages-ar-375px-representative", secretariat, phone=True)


def test_delegate_page_in_arabic_fits_a_phone(phone_page, arabic_meeting, secretariat):
    page = phone_page
    tr = lambda msgid, **values: t("ar", msgid, **values)  # noqa: E731
    data = (MEETING_TITLE, VENUE, ADDRESS, display_name(APPROVED, "ar"), APPROVED["position"],
            APPROVED["email"], APPROVED["phone"], "Arab Interior Ministers Council", "AIMC",
            "Europe/Zurich", secretariat)

    page.goto(f"/d/{arabic_meeting['delegate_token']}")
    choose_language(page, "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text(display_name(APPROVED, "ar"))
    expect(page.get_by_role("status").filter(has_text=tr("Registration approved."))) \
        .to_be_visible()
    expect(page.get_by_role("heading", level=2, name=MEETING_TITLE)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(tr("Adviser"))
    expect(page.get_by_role("region", name=tr("Your badge QR code"), exact=True)
           .get_by_role("img")).to_be_visible()
    expect(page.get_by_role("region", name=tr("Your registration"), exact=True)) \
        .to_contain_text(APPROVED["email"])
    check_screen(page, "ar", "languages-ar-375px-delegate-page", data, phone=True)


def test_checkin_desk_in_arabic_fits_a_phone(phone_page, arabic_meeting, secretariat):
    page = phone_page
    tr = lambda msgid, **values: t("ar", msgid, **values)  # noqa: E731
    name = display_name(APPROVED, "ar")
    data = (MEETING_TITLE, name, "Arab Interior Ministers Council", "AIMC", DESK_USER,
            "Europe/Zurich", secretariat)

    page.goto("/login")
    choose_language(page, "ar")
    check_screen(page, "ar", "languages-ar-375px-desk-01-sign-in", data, phone=True)
    sign_in(page, "ar", DESK_USER)
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Check-in desks"))
    check_screen(page, "ar", "languages-ar-375px-desk-02-meetings", data, phone=True)
    page.get_by_role("link", name=re.compile(re.escape(MEETING_TITLE))).click()

    expect(page).to_have_url(re.compile(rf"/checkin/{arabic_meeting['meeting_id']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Check-in desk"))
    scan_field = page.get_by_label(tr("Badge code"), exact=True)
    expect(scan_field).to_be_focused()
    check_screen(page, "ar", "languages-ar-375px-desk-03-ready", data, phone=True)

    scan_field.press_sequentially(arabic_meeting["code"], delay=5)
    scan_field.press("Enter")
    answer = page.get_by_role("status").filter(has_text=name)
    expect(answer).to_contain_text(tr("Checked in"))
    expect(answer).to_contain_text(tr("Adviser"))
    expect(page.locator("#answer-alert")).to_be_empty()
    expect(page.locator("#counter-checked-in")).to_have_text("1")
    check_screen(page, "ar", "languages-ar-375px-desk-04-checked-in", data, phone=True)

    page.get_by_label(tr("Name, organisation or badge number"), exact=True).fill("AIMC")
    page.get_by_role("button", name=tr("Search"), exact=True).click()
    found = page.get_by_role("list", name=tr("People found"), exact=True)
    expect(found.get_by_role("listitem")).to_have_count(1)
    expect(found.get_by_role("listitem")).to_contain_text(name)
    check_screen(page, "ar", "languages-ar-375px-desk-05-search", data, phone=True)

    # The navigation folds behind its toggle and opens, still within the screen.
    toggle = page.get_by_role("button", name=tr("Toggle navigation"), exact=True)
    toggle.click()
    expect(page.get_by_role("button", name=tr("Sign out"), exact=True)).to_be_visible()
    check_screen(page, "ar", "languages-ar-375px-desk-06-menu", data, phone=True)


def test_the_checks_catch_overflow_on_the_left_and_english_left_in_arabic(phone_page,
                                                                          secretariat):
    """The checks above are not vacuous: right to left, what is too wide sticks out on
    the left; an English text of the catalogue on an Arabic page is found."""
    page = phone_page
    page.goto("/login")
    choose_language(page, "ar")
    assert_no_horizontal_scroll(page)
    assert_translated(page, "ar", (secretariat,))

    page.evaluate("""() => {
        const wide = document.createElement('div');
        wide.id = 'too-wide';
        wide.style.width = '600px';
        wide.textContent = 'x';
        document.querySelector('main').prepend(wide);
    }""")
    with pytest.raises(AssertionError, match=r"scrolls sideways(.|\n)*too-wide"):
        assert_no_horizontal_scroll(page)

    page.evaluate("() => { document.getElementById('too-wide').remove(); }")
    page.evaluate("""() => {
        document.querySelector('main').insertAdjacentHTML(
            'beforeend', '<p>Secretariat sign-in</p>');
    }""")
    with pytest.raises(AssertionError, match="'Secretariat sign-in'"):
        assert_translated(page, "ar")
