"""The representative's personal link (/i/<token>), in a real browser, desktop and phone."""

import re

import pytest
from playwright.sync_api import expect

from meetingapp.extensions import db
from meetingapp.models.invitation import Invitation
from meetingapp.tokens import new_token
from tests.factories import InvitationFactory, OrganisationFactory

from .helpers import assert_accessible, assert_no_horizontal_scroll, snap

pytestmark = pytest.mark.browser


@pytest.fixture
def invitation(app):
    """A sent invitation of ICAO with a working personal link: (id, token)."""
    if "portal" not in app.blueprints:
        pytest.skip("the invitation portal (/i/<token>) is not registered in the app")
    token, token_hash = new_token()
    with app.app_context():
        organisation = OrganisationFactory(name="International Civil Aviation Organization",
                                           acronym="ICAO")
        invitation = InvitationFactory(organisation=organisation, token_hash=token_hash)
        return invitation.id, token


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_representative_opens_the_link_and_accepts(request, device, app, invitation):
    page = request.getfixturevalue(device)
    invitation_id, token = invitation
    name = "portal" if device == "page" else "portal-375px"

    page.goto(f"/i/{token}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "International Civil Aviation Organization")
    answer = page.get_by_role("region", name="Your answer")
    expect(answer).to_contain_text("waiting for your organisation's answer")
    snap(page, f"{name}-invitation")
    assert_no_horizontal_scroll(page, width=page.viewport_size["width"])
    assert_accessible(page, f"{name}-invitation")

    answer.get_by_role("button", name="Accept the invitation").click()

    expect(page).to_have_url(re.compile(rf"/i/{re.escape(token)}$"))
    expect(page.get_by_text("your organisation's acceptance is recorded")).to_be_visible()
    expect(answer).to_contain_text(re.compile(r"Accepted.*will attend"))
    expect(answer.get_by_role("button", name="Accept the invitation")).to_have_count(0)
    snap(page, f"{name}-accepted")
    assert_no_horizontal_scroll(page, width=page.viewport_size["width"])
    assert_accessible(page, f"{name}-accepted")
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).status == "accepted"


def test_unknown_link_shows_an_accessible_error(page, invitation):
    response = page.goto("/i/" + "x" * 43)
    assert response.status == 404
    expect(page.get_by_role("main")).to_contain_text("This link is not valid")
    snap(page, "portal-unknown-link")
    assert_accessible(page, "portal-unknown-link")
