"""The whole flow on the demo meeting: invitation link, three delegates, two approved,
one rejected, the right e-mail to each, and lists showing exactly the two approved."""

import csv
import io
from urllib.parse import urlsplit

import pytest
from babel.support import Translations
from openpyxl import load_workbook
from sqlalchemy import select

from meetingapp.demo import load_demo
from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Delegate, Meeting, Organisation, utcnow
from tests.invitation_helpers import link_in
from tests.registration_helpers import delegate_data, delegate_link_in, pdf_text

pytest_plugins = ["tests.smtp_server"]

HEAD = {"role": "head", "title": "H.E. Mr.", "given_name": "عمرو", "family_name": "موسى",
        "email": "amr.moussa@las.example.org", "nationality": "EG", "language": "ar",
        "position": "Secretary-General"}
DELEGATE = {"role": "delegate", "title": "Ms.", "given_name": "小明", "family_name": "王",
            "email": "wang.xiaoming@las.example.org", "nationality": "CN", "language": "zh",
            "position": "Counsellor"}
ADVISER = {"role": "adviser", "title": "Mr.", "given_name": "Сергей", "family_name": "Иванов",
           "email": "sergei.ivanov@las.example.org", "nationality": "RU", "language": "ru",
           "position": "Legal adviser", "attendance": "online"}


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


def _in(language: str):
    """The catalogue's gettext of ``language``; fails for a msgid left untranslated."""
    translations = Translations.load("meetingapp/translations", [language])

    def say(msgid: str) -> str:
        text = translations.gettext(msgid)
        assert text != msgid, f"{msgid!r} is not translated into {language}"
        return text
    return say


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def demo(app):
    """The demo data; returns (the demo meeting open for registration, LAS's id)."""
    with app.app_context():
        load_demo()
        db.session.commit()
        meeting = db.session.scalars(select(Meeting).where(
            Meeting.status == "open", Meeting.registration_closes_at > utcnow())).first()
        assert meeting is not None, "the demo data has no meeting open for registration"
        las = db.session.scalar(select(Organisation).where(Organisation.acronym == "LAS"))
        return meeting.id, las.id


def test_from_invitation_link_to_approval_email_delegate_page_and_lists(
        app, staff_client, demo, smtp_server):
    meeting_id, las_id = demo
    # Staff invite the League of Arab States; the focal point receives the link.
    staff_client.post(f"/meetings/{meeting_id}/invitations/new", data={
        "kind": "", "region": "", "organisations": [las_id], "send": "send",
        "step": "confirm", "confirm": "Send"})
    [invitation_mail] = smtp_server.received
    token_url = _path(link_in(invitation_mail.message))

    # The representative accepts and registers three delegates.
    representative = app.test_client()
    representative.post(f"{token_url}/respond/accept")
    for person in (HEAD, DELEGATE, ADVISER):
        response = representative.post(f"{token_url}/delegates/new",
                                        data=delegate_data(**person))
        assert response.status_code == 302, response.get_data(as_text=True)
    page = representative.get(token_url).get_data(as_text=True)
    assert page.count("Awaiting approval") == 3 and "<strong>3</strong> of" in page

    with app.app_context():
        ids = {d.email: d.id for d in db.session.scalars(select(Delegate))}
    head_id, delegate_id, adviser_id = (ids[p["email"]] for p in (HEAD, DELEGATE, ADVISER))

    # Staff approve two in bulk and reject one, with a reason.
    base = f"/meetings/{meeting_id}/registrations"
    pending = staff_client.get(f"{base}/?status=pending").get_data(as_text=True)
    assert all(p["family_name"] in pending for p in (HEAD, DELEGATE, ADVISER))
    staff_client.post(f"{base}/bulk", data={"ids": [head_id, adviser_id], "approve": "1"})
    staff_client.post(f"{base}/{delegate_id}/reject",
                      data={"reason": "The nomination letter does not name Ms. Wang."})

    # Each receives the right e-mail.
    by_recipient = {r.rcpt_tos[0]: r for r in smtp_server.received[1:]}
    assert set(by_recipient) == {HEAD["email"], DELEGATE["email"], ADVISER["email"]}
    # ... in the language each asked for (Arabic, Russian; Chinese for the rejection).
    for approved in (HEAD, ADVISER):
        message = by_recipient[approved["email"]].message
        say = _in(approved["language"])
        assert message["Subject"].startswith(say("Registration approved: %(meeting)s")
                                             .split("%(")[0])
        assert f"{approved['given_name']} {approved['family_name']}" in \
            message.get_body(("plain",)).get_content()
        # The badge QR code and its check-in code travel with the approval.
        assert say("Your check-in code (badge %(number)s): %(code)s").split("%(")[0] in \
            message.get_body(("plain",)).get_content()
        assert say("Your badge QR code") in message.get_body(("html",)).get_content()
    rejection = by_recipient[DELEGATE["email"]]
    assert rejection.message["Subject"].startswith(
        _in(DELEGATE["language"])("Registration not approved: %(meeting)s").split("%(")[0])
    assert "does not name Ms. Wang" in rejection.message.get_body(("plain",)).get_content()
    assert "/d/" not in rejection.message.get_body(("plain",)).get_content()
    assert invitation_mail.rcpt_tos[0] in rejection.rcpt_tos  # a copy to the focal point

    # The approved delegates' own pages open; each link is its own.
    head_page = app.test_client().get(_path(delegate_link_in(by_recipient[HEAD["email"]].message)))
    assert head_page.status_code == 200
    text = head_page.get_data(as_text=True)
    assert "H.E. Mr. عمرو موسى" in text and "Registration approved." in text  # page: English
    assert delegate_link_in(by_recipient[HEAD["email"]].message) != \
        delegate_link_in(by_recipient[ADVISER["email"]].message)

    # The representative sees the decisions.
    page = representative.get(token_url).get_data(as_text=True)
    assert page.count(">Approved<") == 2 and "does not name Ms. Wang" in page

    # CSV, XLSX and PDF list exactly the two approved, head of delegation first.
    expected = [("عمرو", "موسى"), ("Сергей", "Иванов")]
    rows = list(csv.reader(io.StringIO(staff_client.get(
        f"{base}/export.csv?status=approved").data.decode("utf-8-sig"))))
    given, family = rows[0].index("Given name"), rows[0].index("Family name")
    assert [(r[given], r[family]) for r in rows[1:]] == expected
    sheet = load_workbook(io.BytesIO(staff_client.get(
        f"{base}/export.xlsx?status=approved").data)).active
    xlsx_rows = list(sheet.iter_rows(values_only=True))
    assert [(r[given], r[family]) for r in xlsx_rows[1:]] == expected
    text = pdf_text(staff_client.get(f"{base}/participants.pdf").data)
    assert "League of Arab States" in text and "王" not in text and "Wang" not in text
    head_at, adviser_at = text.find("عمرو موسى"), text.find("Сергей ИВАНОВ")
    assert -1 < head_at < adviser_at

    with app.app_context():
        decisions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "delegates").order_by(AuditEntry.id)).all()
    assert decisions == ["register"] * 3 + ["approve", "approve", "reject"]
