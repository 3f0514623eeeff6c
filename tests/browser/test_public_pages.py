"""Pages anyone can reach without signing in, in a real browser."""

import pytest
from playwright.sync_api import expect

from .helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    focused_element,
    has_visible_focus,
    snap,
)

pytestmark = pytest.mark.browser


def test_login_page_passes_axe(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Secretariat sign-in")
    expect(page).to_have_title("Sign in · Special Meeting")
    snap(page, "login")
    assert_accessible(page, "login")


def test_not_found_page_passes_axe(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not found")
    expect(page.get_by_role("link", name="Go to the start page")).to_be_visible()
    snap(page, "error-404")
    assert_accessible(page, "error-404")


def test_tab_reaches_skip_link_first_then_the_email_field_with_visible_focus(page):
    page.goto("/login")

    page.keyboard.press("Tab")
    skip = focused_element(page)
    assert skip["tag"] == "a" and skip["text"] == "Skip to main content", skip
    assert skip["width"] > 1 and skip["height"] > 1 and skip["top"] >= 0, \
        f"the focused skip link is not shown on screen: {skip}"
    assert has_visible_focus(skip), f"no focus indicator on the skip link: {skip}"
    snap(page, "login-skip-link-focused")

    # Following the skip link lands in the main content, whose first field is the e-mail.
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mail", exact=True)).to_be_focused()
    email = focused_element(page)
    assert has_visible_focus(email), f"no focus indicator on the e-mail field: {email}"
    snap(page, "login-email-focused")


def test_tab_order_without_the_skip_link_reaches_the_email_field_before_the_password(page):
    page.goto("/login")
    seen = []
    for _ in range(12):  # skip link, brand, the six language buttons, then the form
        page.keyboard.press("Tab")
        element = focused_element(page)
        assert has_visible_focus(element), f"no focus indicator on {element}"
        seen.append(element["label"] or element["text"])
        if element["label"] == "E-mail":
            break
    assert seen[0] == "Skip to main content", seen
    assert "E-mail" in seen and "Password" not in seen, seen
    assert seen.index("العربية") < seen.index("E-mail"), seen


def test_login_page_fits_a_phone_screen(phone_page):
    phone_page.goto("/login")
    expect(phone_page.get_by_label("E-mail", exact=True)).to_be_visible()
    snap(phone_page, "login-375px")
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "login-375px")
