"""Languages: the switcher, Accept-Language, right-to-left Arabic, dates and e-mails
in the reader's language, and pages that render in each of the six languages."""

from datetime import UTC, datetime

import pytest
from babel.support import Translations

from meetingapp.extensions import db
from meetingapp.i18n import LANGUAGES, in_language
from meetingapp.models import Delegate, Invitation, OutboxMessage
from meetingapp.registrations.notify import issue_page_link
from meetingapp.timezones import format_local, format_local_range
from tests.factories import DelegateFactory
from tests.invitation_helpers import (
    invitation_with_token,
    organisation_with_focal_point,
    upcoming_meeting,
)
from tests.registration_helpers import accepted_invitation

TRANSLATIONS = "meetingapp/translations"


def catalogue(language: str) -> Translations:
    return Translations.load(TRANSLATIONS, [language])


def translated(language: str, msgid: str) -> str:
    """The catalogue's text for ``msgid``; the test fails when it is not translated."""
    text = catalogue(language).gettext(msgid)
    assert text != msgid, f"{msgid!r} is not translated in {language}"
    return text


def _opening_tag(page: str) -> str:
    return page[page.index("<html"):page.index(">", page.index("<html")) + 1]


# --- Choosing the language ------------------------------------------------------------

def test_english_without_a_choice_or_accept_language(client):
    page = client.get("/login").get_data(as_text=True)
    assert _opening_tag(page) == '<html lang="en" dir="ltr">'
    assert "bootstrap.rtl" not in page


@pytest.mark.parametrize(("header", "language"), [
    ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
    ("zh-CN,zh;q=0.9", "zh"),
    ("ar-EG", "ar"),
    ("de-DE, es;q=0.5", "es"),
    ("de-DE, ja;q=0.5", "en"),  # nothing we speak: English
    ("en-US,*;q=0.5", "en"),
    ("*", "en"),  # any language: no preference, not the first of ours (Arabic)
    ("de, *;q=0.9, ru;q=0.8", "ru"),
    ("", "en"),
    (";;;q=abc,,", "en"),  # garbage is ignored
])
def test_the_browser_language_is_the_default(client, header, language):
    response = client.get("/login", headers={"Accept-Language": header})
    assert f'lang="{language}"' in _opening_tag(response.get_data(as_text=True))
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_arabic_pages_run_right_to_left_with_the_mirrored_stylesheet(client):
    page = client.get("/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert _opening_tag(page) == '<html lang="ar" dir="rtl">'
    assert "vendor/bootstrap/bootstrap.rtl.min.css" in page
    css = client.get("/static/vendor/bootstrap/bootstrap.rtl.min.css")
    assert css.status_code == 200 and b"Bootstrap" in css.data[:300]


def test_the_switcher_remembers_the_choice_over_the_browser_language(client):
    response = client.post("/language", data={"language": "ru", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    cookie = client.get_cookie("language")
    assert cookie.value == "ru" and cookie.http_only and cookie.max_age >= 300 * 24 * 3600
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'lang="ru"' in _opening_tag(page)
    # The switcher marks the current language and names every language in itself.
    assert 'value="ru" lang="ru"' in page and 'aria-current="true">Русский' in page
    for name in ("العربية", "中文", "English", "Français", "Español"):
        assert name in page


def test_every_page_offers_the_switcher_with_a_way_back(client):
    page = client.get("/login?next=/meetings/").get_data(as_text=True)
    assert 'action="/language"' in page
    assert 'name="next" value="/login?next=/meetings/"' in page


@pytest.mark.parametrize("target", [
    "https://attacker.example/", "//attacker.example/x", "/\\attacker.example",
    "javascript:alert(1)", "", "login",
])
def test_the_switcher_never_sends_anyone_to_another_site(client, target):
    response = client.post("/language", data={"language": "fr", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("value", ["de", "EN", "<script>", "ar\x00", "x" * 5000, ""])
def test_an_unknown_language_changes_nothing(client, value):
    response = client.post("/language", data={"language": value, "next": "/login"})
    assert response.status_code in (303, 400)  # a NUL never turns "ar\\x00" into "ar"
    assert client.get_cookie("language") is None


def test_a_forged_cookie_is_ignored(client):
    client.set_cookie("language", "<script>alert(1)</script>")
    page = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert _opening_tag(page) == '<html lang="es" dir="ltr">'
    assert "<script>alert" not in page


def test_the_switcher_needs_the_form_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/language", data={"language": "fr", "next": "/login"})
    assert response.status_code == 400


# --- Dates in the language of the page, the zone always named --------------------------

START, END = datetime(2003, 3, 6, 14, 30, tzinfo=UTC), datetime(2003, 3, 6, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "06 March 2003, 09:30–18:00 EST (America/New_York)"),
    ("fr", "6 mars 2003, 09:30–18:00 EST (America/New_York)"),
    ("es", "6 de marzo de 2003, 09:30–18:00 EST (America/New_York)"),
    ("ru", "6 марта 2003\u202fг., 09:30–18:00 EST (America/New_York)"),
    ("zh", "2003年3月6日, 09:30–18:00 EST (America/New_York)"),
    ("ar", "6 مارس 2003, 09:30–18:00 EST (America/New_York)"),
])
def test_meeting_times_follow_the_language_and_name_the_zone(app, language, expected):
    with app.test_request_context(), in_language(language):
        assert format_local_range(START, END, "America/New_York") == expected


def test_outside_a_request_times_are_in_english(app):
    with app.app_context():
        assert format_local(START, "America/New_York") == \
            "06 March 2003, 09:30 EST (America/New_York)"


# --- E-mails in the reader's language ---------------------------------------------------

def test_a_delegate_is_told_of_approval_in_their_own_language(app, staff_client):
    with app.app_context():
        meeting = upcoming_meeting(title="Second Special Meeting")
        invitation_id, _token = accepted_invitation(meeting)
        invitation = db.session.get(Invitation, invitation_id)
        delegate_id = DelegateFactory(invitation=invitation, language="fr").id
        meeting_id = meeting.id
    # The staff member reads English; the delegate asked for French.
    staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve",
                      headers={"Accept-Language": "en"})
    with app.app_context():
        message = db.session.scalars(db.select(OutboxMessage)).one()
        assert db.session.get(Delegate, delegate_id).status == "approved"
    expected = translated("fr", "Registration approved: %(meeting)s") % {
        "meeting": "Second Special Meeting"}
    assert message.subject == expected


def test_an_invitation_goes_out_in_the_organisations_language(app, staff_client):
    with app.app_context():
        meeting = upcoming_meeting(title="Second Special Meeting")
        french = organisation_with_focal_point(
            name="Organisation internationale de la Francophonie", kind="regional",
            language="fr")
        english = organisation_with_focal_point(name="Commonwealth Secretariat",
                                                kind="regional")
        meeting_id, ids = meeting.id, {french.id: "fr", english.id: "en"}
        starts = {}
        for language in ("fr", "en"):
            with app.test_request_context(), in_language(language):
                starts[language] = format_local(meeting.starts_at, meeting.timezone)
    staff_client.post(f"/meetings/{meeting_id}/invitations/new",
                      data={"kind": "regional", "region": "", "send": "send",
                            "step": "confirm", "confirm": "Send"},
                      headers={"Accept-Language": "es"})
    with app.app_context():
        by_language = {ids[i.organisation_id]: i for i in db.session.scalars(
            db.select(Invitation))}
        subjects = {language: db.session.scalar(
            db.select(OutboxMessage.subject).where(OutboxMessage.to_addrs.contains(
                invitation.email))) for language, invitation in by_language.items()}
    assert subjects["en"] == "Invitation: Second Special Meeting"
    assert subjects["fr"] == translated("fr", "Invitation: {meeting}").replace(
        "{meeting}", "Second Special Meeting")
    # The dates in it are French too, whatever language the staff member reads.
    with app.app_context():
        french_mail = db.session.scalar(db.select(OutboxMessage.body_text).where(
            OutboxMessage.to_addrs.contains(by_language["fr"].email)))
        english_mail = db.session.scalar(db.select(OutboxMessage.body_text).where(
            OutboxMessage.to_addrs.contains(by_language["en"].email)))
    assert starts["fr"] in french_mail and starts["en"] in english_mail
    assert translated("fr", "Dear {contact},").split("{")[0] in french_mail


# --- Every language renders -------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_the_representatives_and_delegates_pages_render_in_each_language(app, client, language):
    with app.test_request_context():
        meeting = upcoming_meeting(title="Special Meeting on Borders")
        invitation_id, token = accepted_invitation(meeting)
        delegate = DelegateFactory(invitation=db.session.get(Invitation, invitation_id),
                                   status="approved", given_name="ليلى", family_name="حداد")
        delegate_token = issue_page_link(delegate).rsplit("/", 1)[1]
        db.session.commit()
    client.set_cookie("language", language)
    for url in (f"/i/{token}", f"/i/{token}/delegates/new", f"/d/{delegate_token}"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert _opening_tag(page) == (f'<html lang="{language}" '
                                      f'dir="{"rtl" if language == "ar" else "ltr"}">')
    assert "حداد" in page


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_multi_line_template_texts_are_found_in_the_catalogue(app, client, language):
    """{% trans %} blocks are looked up with their whitespace collapsed, as extracted."""
    with app.app_context():
        meeting = upcoming_meeting(title="Special Meeting on Borders",
                                   delegates_per_organisation=3)
        _invitation_id, token = invitation_with_token(meeting)
    client.set_cookie("language", language)
    page = client.get(f"/i/{token}").get_data(as_text=True)
    waiting = ("Once your organisation has accepted the invitation, you can register its "
               "delegation here (up to %(count)s delegates).")
    text = catalogue(language).ngettext(waiting, waiting, 3) % {"count": 3}
    assert text != waiting % {"count": 3}
    assert text in page
    assert "Once your organisation" not in page


@pytest.mark.parametrize(("language", "egypt"), [
    ("en", "Egypt"), ("ar", "مصر"), ("zh", "埃及"), ("fr", "Égypte"), ("ru", "Египет"),
    ("es", "Egipto"),
])
def test_countries_are_named_in_the_language_of_the_form(app, client, language, egypt):
    with app.app_context():
        _invitation_id, token = accepted_invitation(upcoming_meeting())
    client.set_cookie("language", language)
    page = client.get(f"/i/{token}/delegates/new").get_data(as_text=True)
    assert f'<option value="EG">{egypt}</option>' in page


def test_field_length_errors_come_in_the_language_of_the_form(app, client):
    """WTForms' own Arabic catalogue lacks plural forms: our message is used instead."""
    with app.app_context():
        _invitation_id, token = invitation_with_token(upcoming_meeting())
    client.set_cookie("language", "ar")
    page = client.post(f"/i/{token}/respond/decline",
                       data={"reason": "x" * 2001}).get_data(as_text=True)
    assert translated("ar", "Field cannot be longer than %(max)d characters.") % {
        "max": 2000} in page
    assert "Field cannot be longer" not in page


def test_default_report_sections_are_shown_in_the_readers_language(app, client):
    with app.app_context():
        _invitation_id, token = accepted_invitation(upcoming_meeting())
    client.set_cookie("language", "fr")
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert translated("fr", "Mandate and membership") in page
    assert "Mandate and membership" not in page


def test_the_audit_log_stays_in_english_whatever_the_actor_reads(app):
    from meetingapp.audit.services import record
    from meetingapp.models.agenda import SPEAKER_ROLE_LABELS

    class Speaking:
        __tablename__, id = "agenda_speakers", 1

        @property
        def display_name(self):
            return f"{SPEAKER_ROLE_LABELS['chair']}: Ms. Example"

    with app.test_request_context(), in_language("ru"):
        assert str(SPEAKER_ROLE_LABELS["chair"]) != "Chair"  # the actor reads Russian
        entry = record("add_speaker", Speaking(),
                       changes={"role": [None, SPEAKER_ROLE_LABELS["chair"]]})
        assert entry.object_label == "Chair: Ms. Example"
        assert entry.changes == {"role": [None, "Chair"]}
        db.session.rollback()


def test_an_arabic_text_only_email_runs_right_to_left(app):
    from meetingapp.mail.messages import html_from_text

    with app.test_request_context(), in_language("ar"):
        html = html_from_text("مرحبا", "تذكير")
    assert '<html lang="ar" dir="rtl">' in html
