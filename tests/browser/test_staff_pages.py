"""The secretariat's pages, reached through the real sign-in form, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, MeetingFactory, OrganisationFactory

from .helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    sign_in,
    snap,
)

pytestmark = pytest.mark.browser

FIRST_MEETING = ("First Special Meeting of the Counter-Terrorism Committee with International, "
                 "Regional and Sub-regional Organisations")


@pytest.fixture
def meetings(app):
    """The First Special Meeting (6 March 2003, New York) and a later one."""
    with app.app_context():
        first = MeetingFactory(title=FIRST_MEETING, number=1)
        MeetingFactory(title="Fourth Special Meeting", number=4, venue="Almaty",
                       timezone="Asia/Almaty")
        return {"first": first.id}


def test_staff_signs_in_through_the_login_form(page, staff_user):
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill(staff_user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    snap(page, "login-filled")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/meetings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    expect(page.get_by_text(staff_user.email)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_wrong_password_is_refused_with_an_accessible_message(page, staff_user):
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill(staff_user.email)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail or password")
    expect(page).to_have_url(re.compile(r"/login"))
    snap(page, "login-refused")
    assert_accessible(page, "login-refused")


def test_meeting_list_and_detail(page, staff_user, meetings):
    sign_in(page, staff_user.email)
    page.goto("/meetings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    expect(page.get_by_role("link", name="Fourth Special Meeting")).to_be_visible()
    snap(page, "meetings-list")
    assert_accessible(page, "meetings-list")

    page.get_by_role("link", name=FIRST_MEETING).click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meetings['first']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(FIRST_MEETING)
    # Shown on the meeting's own wall clock, the zone named: 09:30 EST in New York.
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"March 2003, 09:30 EST"))
    expect(page.get_by_role("main")).to_contain_text("United Nations Headquarters")
    snap(page, "meeting-detail")
    assert_accessible(page, "meeting-detail")


def test_organisation_list_and_search(page, staff_user, app):
    with app.app_context():
        OrganisationFactory(name="International Civil Aviation Organization", acronym="ICAO",
                            kind="international", region="Global")
        OrganisationFactory(name="International Maritime Organization", acronym="IMO",
                            kind="international", region="Global")
        OrganisationFactory(name="Organization of American States", acronym="OAS",
                            kind="regional", region="Americas")
        # Names arrive in all six languages of the Security Council.
        OrganisationFactory(name="Организация Договора о коллективной безопасности", acronym="ОДКБ",
                            kind="regional", region="Eurasia")
    sign_in(page, staff_user.email)
    page.get_by_role("link", name="Organisations", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    for name in ("International Civil Aviation Organization", "International Maritime "
                 "Organization", "Organization of American States",
                 "Организация Договора о коллективной безопасности"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    snap(page, "organisations-list")
    assert_accessible(page, "organisations-list")

    page.get_by_label("Search name or acronym").fill("icao")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]q=icao"))
    expect(page.get_by_role("link", name="International Civil Aviation Organization")) \
        .to_be_visible()
    expect(page.get_by_role("link", name="International Maritime Organization")).to_have_count(0)
    expect(page.get_by_label("Search name or acronym")).to_have_value("icao")
    snap(page, "organisations-search")
    assert_accessible(page, "organisations-search")


def test_meeting_list_fits_a_phone_screen(phone_page, staff_user, meetings):
    sign_in(phone_page, staff_user.email)
    phone_page.goto("/meetings/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Meetings")
    snap(phone_page, "meetings-list-375px")
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "meetings-list-375px")
    # The navigation folds behind its toggle and still opens.
    phone_page.get_by_role("button", name="Toggle navigation").click()
    expect(phone_page.get_by_role("link", name="Organisations", exact=True)).to_be_visible()
    snap(phone_page, "meetings-list-375px-menu")
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "meetings-list-375px-menu")


def test_staff_pages_need_sign_in(page):
    page.goto("/meetings/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("Please sign in to open this page.")).to_be_visible()
