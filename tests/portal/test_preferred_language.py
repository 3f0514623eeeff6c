"""The delegate form preselects a preferred language: the organisation's correspondence
language where one was chosen, else the page's language (never the list's first, Arabic)."""

import lxml.html
import pytest

from meetingapp.extensions import db
from meetingapp.models import Organisation
from tests.invitation_helpers import organisation_with_focal_point, upcoming_meeting
from tests.registration_helpers import accepted_invitation, delegates_of


@pytest.fixture
def accepted(app):
    with app.app_context():
        return accepted_invitation(upcoming_meeting(delegates_per_organisation=5))


def _form(client, token, **headers):
    response = client.get(f"/i/{token}/delegates/new", headers=headers)
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True)).xpath(
        "//form[.//select[@name='language']]")[0]


def _selected_language(form) -> list[str]:
    return form.xpath(".//select[@name='language']/option[@selected]/@value")


def _as_the_browser_submits(form, **typed) -> dict:
    """What a browser posts when the representative types only ``typed``: every other
    field as the page preselected it (lxml's own reading of the form)."""
    values = dict(form.form_values())
    values.update(typed)
    return values


@pytest.mark.parametrize("language", ["en", "fr", "zh", "ru", "es", "ar"])
def test_the_form_preselects_the_language_of_the_page(client, accepted, language):
    _, token = accepted
    client.set_cookie("language", language)
    assert _selected_language(_form(client, token)) == [language]


def test_a_browser_asking_for_chinese_gets_chinese_preselected(client, accepted):
    _, token = accepted
    form = _form(client, token, **{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert _selected_language(form) == ["zh"]


def test_without_any_preference_english_is_preselected_not_arabic(client, accepted):
    _, token = accepted
    form = _form(client, token, **{"Accept-Language": "*"})
    assert _selected_language(form) == ["en"]


def test_the_organisations_correspondence_language_comes_before_the_pages(app, client):
    with app.app_context():
        org = organisation_with_focal_point(name="Содружество Независимых Государств",
                                            acronym="СНГ", language="ru")
        _, token = accepted_invitation(upcoming_meeting(), org)
    client.set_cookie("language", "fr")
    assert _selected_language(_form(client, token)) == ["ru"]


def test_a_delegate_registered_with_the_field_left_alone_gets_the_pages_language(
        app, client, accepted):
    invitation_id, token = accepted
    client.set_cookie("language", "fr")
    form = _form(client, token)
    data = _as_the_browser_submits(
        form, given_name="Anne-Sophie", family_name="Lefèvre", position="Conseillère",
        email="as.lefevre@example.org", nationality="FR")
    response = client.post(f"/i/{token}/delegates/new", data=data)
    assert response.status_code == 302
    [delegate] = delegates_of(app, invitation_id)
    assert delegate.language == "fr"


def test_changing_a_delegate_keeps_their_own_language(app, client, accepted):
    invitation_id, token = accepted
    client.set_cookie("language", "fr")
    form = _form(client, token)
    client.post(f"/i/{token}/delegates/new", data=_as_the_browser_submits(
        form, family_name="Петрова", given_name="Ирина", position="Советник",
        email="petrova@example.org", nationality="RU", language="ru"))
    [delegate] = delegates_of(app, invitation_id)
    page = client.get(f"/i/{token}/delegates/{delegate.id}/edit").get_data(as_text=True)
    form = lxml.html.fromstring(page).xpath("//form[.//select[@name='language']]")[0]
    assert _selected_language(form) == ["ru"]


@pytest.mark.parametrize("bad", ["xx", "", "<script>alert(1)</script>", "ar" * 200, "عربي",
                                 "\u202een"])
def test_a_language_outside_the_six_is_refused(app, client, accepted, bad):
    invitation_id, token = accepted
    form = _form(client, token)
    data = _as_the_browser_submits(form, family_name="Kotaite", position="Observer",
                                   email="kotaite@example.org", nationality="LB", language=bad)
    response = client.post(f"/i/{token}/delegates/new", data=data)
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert delegates_of(app, invitation_id) == []


def test_an_organisation_in_english_leaves_the_page_language(app, client):
    with app.app_context():
        org = organisation_with_focal_point(name="International Maritime Organization",
                                            acronym="IMO")
        assert db.session.get(Organisation, org.id).language == "en"
        _, token = accepted_invitation(upcoming_meeting(), org)
    client.set_cookie("language", "es")
    assert _selected_language(_form(client, token)) == ["es"]
