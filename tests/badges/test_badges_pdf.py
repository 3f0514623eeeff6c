"""Badge PDFs, read back as a person and a scanner would: rendered to images, every
QR code decoded with a real decoder (zxing-cpp), then scanned in at the desk."""

import io
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from meetingapp.badges.codes import code_row, current_code
from meetingapp.extensions import db
from meetingapp.models import BackgroundJob, CheckIn, Delegate
from tests.factories import (
    ApprovedDelegateFactory,
    DelegateFactory,
    InvitationFactory,
    OrganisationFactory,
    UpcomingMeetingFactory,
    six_script_delegates,
)
from tests.registration_helpers import pdf_text

MM = 72 / 25.4  # PDF points per millimetre


def decode_pdf(pdf: bytes, tmp_path, dpi: int = 300) -> list[list[str]]:
    """The QR codes found on each page, rendered with pdftoppm and read with zxing-cpp."""
    source = tmp_path / "badges.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    return [[r.text for r in zxingcpp.read_barcodes(Image.open(page),
                                                   formats=zxingcpp.BarcodeFormat.QRCode)]
            for page in pages]


def word_boxes(pdf: bytes, tmp_path) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words with their boxes in points (pdftotext -bbox)."""
    source = tmp_path / "words.pdf"
    source.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(source), "-"], check=True,
                          capture_output=True, text=True).stdout
    html = re.sub(r"<!DOCTYPE[^>]*>", "", html).replace('xmlns="http://www.w3.org/1999/xhtml"',
                                                        "")
    pages = []
    for page in ET.fromstring(html).iter("page"):
        pages.append([(w.text or "", float(w.get("xMin")), float(w.get("yMin")),
                       float(w.get("xMax")), float(w.get("yMax"))) for w in page.iter("word")])
    return pages


def y_in(word, top_mm: float, bottom_mm: float) -> bool:
    return word[2] >= top_mm * MM and word[4] <= bottom_mm * MM


@pytest.fixture
def demo(app):
    """A meeting with the demo's six delegates, plus a pending, a rejected and a withdrawn one."""
    with app.app_context():
        meeting = UpcomingMeetingFactory(title="First Special Meeting of the Counter-Terrorism "
                                               "Committee with International, Regional and "
                                               "Sub-regional Organizations")
        approved = six_script_delegates(meeting)
        others = [DelegateFactory(invitation=approved[0].invitation, status=status,
                                  family_name=f"Not{status.title()}")
                  for status in ("pending", "rejected", "withdrawn")]
        return meeting.id, [d.id for d in approved], [d.id for d in others]


def codes_of(app, ids) -> dict[str, int]:
    with app.app_context():
        return {current_code(code_row(db.session.get(Delegate, i))): i for i in ids}


def print_all(client, meeting_id, layout):
    response = client.post(f"/meetings/{meeting_id}/badges/print",
                           data={"layout": layout, "print_all": "1"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response.data


def scan(client, meeting_id, code):
    response = client.post(f"/checkin/{meeting_id}/scan", data={"code": code},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["answer"]


def test_printed_badges_scan_in_once_each(app, demo, staff_client, checkin_client, tmp_path):
    meeting_id, approved, others = demo
    pdf = print_all(staff_client, meeting_id, "sheet")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1  # six badges on one A4 sheet
    found = [code for page in decode_pdf(pdf, tmp_path) for code in page]
    codes = codes_of(app, approved)
    assert sorted(found) == sorted(codes)  # every approved delegate, nobody else
    for code in found:
        answer = scan(checkin_client, meeting_id, code)
        assert answer["result"] == "checked_in" and answer["heading"] == "Checked in"
        assert answer["icon"] == "✓" and answer["tone"] == "success"
    for code in found:
        answer = scan(checkin_client, meeting_id, code)
        assert answer["result"] == "already_checked_in"
        assert "checkin@example.org" in answer["detail"]
    with app.app_context():
        rows = db.session.scalars(select(CheckIn)).all()
        assert sorted(c.delegate_id for c in rows) == sorted(approved)


def test_single_layout_is_one_card_per_page_in_list_order(app, demo, staff_client, tmp_path):
    meeting_id, approved, _ = demo
    pdf = print_all(staff_client, meeting_id, "card")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(approved)
    width, height = (float(v) / MM for v in reader.pages[0].mediabox.upper_right)
    assert (round(width, 1), round(height, 1)) == (85.6, 54.0)  # CR80
    pages = decode_pdf(pdf, tmp_path)
    assert all(len(codes) == 1 for codes in pages)
    codes = codes_of(app, approved)
    assert sorted(codes[c[0]] for c in pages) == sorted(approved)


def test_badges_print_every_script_with_real_glyphs(demo, staff_client):
    meeting_id, _, _ = demo
    text = pdf_text(print_all(staff_client, meeting_id, "card"))
    for name in ("أحمد المنصوري", "王小明", "Ирина Петрова", "José Álvarez", "Anne-Sophie Lefèvre"):
        assert name in text
    assert "HEAD OF DELEGATION" in text and "League of Arab States" in text
    assert "LAS" in text and "No. 00001" in text
    assert "NotPending" not in text and "NotWithdrawn" not in text
    # Real glyphs from the fonts the project installs, not boxes from a fallback.
    reader = PdfReader(io.BytesIO(print_all(staff_client, meeting_id, "card")))
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("Naskh-Arabic" in f for f in fonts), fonts
    assert any("Sans-CJK" in f for f in fonts), fonts


def test_long_name_and_organisation_fit_the_card(app, staff_client, tmp_path):
    name = "Maximiliana Alexandrovna Konstantinopolskaya-Rimsky-Korsakova"
    organisation = "Organisation for Security and Co-operation in Europe Secretar"
    assert len(name) >= 60 and len(organisation) >= 60
    with app.app_context():
        org = OrganisationFactory(name=organisation, acronym="OSCE")
        delegate = ApprovedDelegateFactory(
            invitation=InvitationFactory(organisation=org, status="accepted"), title="H.E. Ms.",
            given_name="Maximiliana Alexandrovna",
            family_name="Konstantinopolskaya-Rimsky-Korsakova", role="head")
        meeting_id, delegate_id = delegate.meeting_id, delegate.id
    response = staff_client.post(f"/meetings/{meeting_id}/badges/print",
                                 data={"layout": "card", "ids": [delegate_id],
                                       "print_selected": "1"})
    assert response.status_code == 200
    pages = word_boxes(response.data, tmp_path)
    assert len(pages) == 1  # nothing spilled onto a second page
    for _, x0, y0, x1, y1 in pages[0]:  # nothing runs off the card
        assert 0 <= x0 and x1 <= 85.6 * MM and 0 <= y0 and y1 <= 54 * MM
    # The text column: below the top band (11 mm), above the role band (46 mm), left of
    # the QR code (58.6 mm). The whole name and organisation are in it, at a size that
    # shrank to fit but is still readable.
    column = [w for w in pages[0] if y_in(w, 11, 46) and w[3] <= 58.6 * MM]
    text = " ".join(w[0] for w in column).replace("- ", "-")
    assert name in text and organisation in text
    name_height = max(w[4] - w[2] for w in column if w[0] == "Maximiliana")
    assert name_height >= 9  # points: a 10 pt line, not a footnote
    assert decode_pdf(response.data, tmp_path)[0]


def test_only_approved_delegates_get_a_badge(app, demo, staff_client):
    meeting_id, approved, others = demo
    response = staff_client.post(f"/meetings/{meeting_id}/badges/print",
                                 data={"layout": "card", "ids": others, "print_selected": "1"},
                                 follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert page.count("No badge for") == 3
    assert re.search(r"No badge for [^<]*: withdrawn", page)
    response = staff_client.post(f"/meetings/{meeting_id}/badges/print",
                                 data={"layout": "card", "ids": [approved[1], others[2]],
                                       "print_selected": "1"})
    assert response.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1


@pytest.mark.parametrize("config_overrides", [{"BADGES_SYNC_LIMIT": 2}], indirect=True)
def test_every_badge_of_a_meeting_is_a_background_job(app, demo, staff_client, tmp_path):
    meeting_id, approved, _ = demo
    response = staff_client.post(f"/meetings/{meeting_id}/badges/print",
                                 data={"layout": "card", "print_all": "1"})
    assert response.status_code == 302 and "/jobs/" in response.location
    page = staff_client.get(response.location).get_data(as_text=True)
    assert "Badges (PDF)" in page
    with app.app_context():
        job = db.session.scalars(select(BackgroundJob)).one()
        assert job.kind == "badges" and job.status == "done", job.error
        job_id = job.id
    pdf = staff_client.get(f"/jobs/{job_id}/download").data
    assert sorted(c for page in decode_pdf(pdf, tmp_path) for c in page) == \
        sorted(codes_of(app, approved))


@pytest.fixture
def config_overrides(request):
    return getattr(request, "param", {})


def test_a_row_button_prints_that_delegate_s_badge(app, demo, staff_client, tmp_path):
    meeting_id, approved, _ = demo
    response = staff_client.post(f"/meetings/{meeting_id}/badges/print",
                                 data={"layout": "card", "one": approved[2]})
    assert response.mimetype == "application/pdf"
    assert decode_pdf(response.data, tmp_path) == [[next(
        code for code, i in codes_of(app, approved).items() if i == approved[2])]]


def test_one_badge_printed_again_unchanged_comes_from_the_cache(app, demo, staff_client):
    from meetingapp.badges import render

    meeting_id, approved, _ = demo
    url = f"/meetings/{meeting_id}/badges/print"
    first = staff_client.post(url, data={"layout": "card", "one": approved[0]}).data
    assert render._single_cache
    assert staff_client.post(url, data={"layout": "card", "one": approved[0]}).data == first
    # A changed name is another badge: laid out again.
    with app.app_context():
        delegate = db.session.get(Delegate, approved[0])
        delegate.family_name = "Renamedperson"
        db.session.commit()
    again = staff_client.post(url, data={"layout": "card", "one": approved[0]}).data
    assert again != first and "Renamedperson" in pdf_text(again).replace(" ", "")


@pytest.mark.parametrize("language, month", [
    ("en", "February"), ("fr", "févr."), ("es", "febrero"), ("ru", "февр."), ("ar", "فبراير"),
    ("zh", "2027年2月10日"),
])
def test_the_date_line_is_in_the_badges_language_and_keeps_its_order(
        app, staff_client, tmp_path, language, month):
    with app.app_context():
        meeting = UpcomingMeetingFactory(
            title="Special Meeting", venue="UNHQ", timezone="America/New_York",
            starts_at=datetime(2027, 2, 10, 14, 0, tzinfo=UTC),
            ends_at=datetime(2027, 2, 12, 22, 0, tzinfo=UTC))
        ApprovedDelegateFactory(invitation=InvitationFactory(meeting=meeting,
                                                             status="accepted"))
        meeting_id = meeting.id
    staff_client.set_cookie("language", language, domain="localhost")
    pdf = print_all(staff_client, meeting_id, "card")
    [words] = word_boxes(pdf, tmp_path)
    band = [w for w in words if y_in(w, 4, 11)]  # the date line, under the meeting's title
    line = " ".join(w[0] for w in band)
    # pdftotext gives Arabic words in visual order (their letters reversed).
    assert (month in line or month[::-1] in line) and "UNHQ" in line, line
    if language != "en":
        assert "February" not in line
    venue = [w for w in band if "UNHQ" in w[0]]
    dates = [w for w in band if "2027" in w[0] or "10" in w[0]]
    assert venue and dates
    if language == "ar":
        # Right to left: the dates first (rightmost), then the venue, each whole.
        assert max(w[3] for w in venue) < min(w[1] for w in dates), band
    else:
        assert max(w[3] for w in dates) < min(w[1] for w in venue), band
