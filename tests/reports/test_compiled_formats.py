"""The compiled report keeps what the form promises (Markdown: bold, lists, links, tables),
read back with independent parsers: python-docx for the DOCX, pypdf and poppler for the PDF."""

import io
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Contribution, Meeting
from meetingapp.reports import services
from meetingapp.reports.compile import communique_docx, compiled_docx, compiled_pdf
from tests.factories import OutcomeFactory
from tests.reports.test_reports import _invited, _write

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MM = 72 / 25.4

ENGLISH = """Our unit **trains customs officers** and *shares* guidance.

- Border controls
- Financing of terrorism, see [the guide](https://example.org/guide)

1. First step
2. Second step

| Programme | Countries |
|---|---|
| Border security | 12 |

A <script>alert("x")</script> hostile <img src=x onerror=alert(2)> text."""

ARABIC = """تعمل **الجامعة** على تبادل المعلومات بين الدول الأعضاء في مجال مكافحة الإرهاب.

- البند الأول
- البند الثاني"""


def _meeting(app, client):
    """An international, a regional (Arabic) and a sub-regional organisation, all accepted;
    outcomes linked to each, so the annex lists all three."""
    with app.app_context():
        inv_sub, t_sub = _invited("Andean Community", "CAN", "sub-regional")
        meeting = db.session.get(Meeting, inv_sub.meeting_id)
        inv_ar, t_ar = _invited("جامعة الدول العربية", "LAS", "regional", meeting=meeting)
        inv_int, t_int = _invited("World Customs Organization", "WCO", meeting=meeting)
        for inv, text in ((inv_sub, "Andean commitment"), (inv_ar, "Arab commitment"),
                          (inv_int, "Customs commitment")):
            OutcomeFactory(meeting=meeting, kind="commitment", text=text,
                           organisations=[inv.organisation])
        meeting_id = meeting.id
    _write(client, t_int, [ENGLISH], "submit")
    _write(client, t_ar, [ARABIC], "submit")
    _write(client, t_sub, ["Plain text"], "submit")
    with app.app_context():
        for c in db.session.scalars(select(Contribution).where(Contribution.status == "submitted")):
            services.accept(c)
        db.session.commit()
    return meeting_id


@pytest.fixture
def compiled(app, client):
    meeting_id = _meeting(app, client)
    with app.test_request_context():
        meeting = db.session.get(Meeting, meeting_id)
        return compiled_docx(meeting), compiled_pdf(meeting), communique_docx(meeting)


def test_docx_keeps_bold_lists_links_and_tables(compiled):
    document = Document(io.BytesIO(compiled[0]))
    paragraphs = document.paragraphs
    trains = next(p for p in paragraphs if "trains customs officers" in p.text)
    bold = [r.text for r in trains.runs if r.bold]
    italic = [r.text for r in trains.runs if r.italic]
    assert bold == ["trains customs officers"] and italic == ["shares"]
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert "Border controls" in bullets
    assert any(t.startswith("Financing of terrorism, see the guide") for t in bullets)
    numbered = [p for p in paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["First step", "Second step"]
    links = [h for p in paragraphs for h in p.hyperlinks]
    assert [(h.text, h.address) for h in links] == [("the guide", "https://example.org/guide")]
    [table] = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Programme", "Countries"], ["Border security", "12"]]
    assert all(r.bold for r in table.rows[0].cells[0].paragraphs[0].runs)
    body = "\n".join(p.text for p in paragraphs)
    assert "**" not in body and "| ---" not in body and "](" not in body
    assert "alert" not in body and "script" not in body and "onerror" not in body
    assert "A  hostile  text." in body or "A hostile text." in body.replace("  ", " ")


def test_docx_arabic_paragraphs_and_list_items_are_right_to_left(compiled):
    document = Document(io.BytesIO(compiled[0]))
    arabic = [p for p in document.paragraphs if "الجامعة" in p.text or "البند" in p.text]
    assert len(arabic) >= 3
    for paragraph in arabic:
        assert paragraph._p.pPr.find(f"{W}bidi") is not None, paragraph.text
        assert all(r._r.rPr.find(f"{W}rtl") is not None for r in paragraph.runs)
    english = next(p for p in document.paragraphs if p.text == "Border controls")
    assert english._p.pPr.find(f"{W}bidi") is None


def test_docx_core_properties_are_the_reports_not_the_template(app, compiled):
    for data, title in ((compiled[0], "Report on the activities"), (compiled[2], "Communiqué")):
        properties = Document(io.BytesIO(data)).core_properties
        assert properties.title.startswith(title)
        assert properties.author == app.config["SECRETARIAT_NAME"]
        assert properties.last_modified_by == app.config["SECRETARIAT_NAME"]
        assert "python-docx" not in (properties.comments + properties.author)
        assert abs(properties.created - datetime.now(UTC)) < timedelta(minutes=5)
        assert abs(properties.modified - datetime.now(UTC)) < timedelta(minutes=5)


def test_annex_follows_the_bodys_un_order(compiled):
    document = Document(io.BytesIO(compiled[0]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    annex = headings[headings.index("Annex: outcomes and commitments by organisation") + 1:]
    body = headings[:headings.index("Annex: outcomes and commitments by organisation")]
    order = ["World Customs Organization (WCO)", "جامعة الدول العربية (LAS)",
             "Andean Community (CAN)"]
    assert [h for h in body if h in order] == order
    assert [h for h in annex if h in order] == order


def _words(pdf: bytes, tmp_path) -> list[tuple[str, float, float, float, float]]:
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(source), "-"], check=True,
                         capture_output=True, text=True).stdout
    out = re.sub(r"<!DOCTYPE[^>]*>", "", out).replace(
        'xmlns="http://www.w3.org/1999/xhtml"', "")
    return [(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
             float(w.get("yMax"))) for page in ET.fromstring(out).iter("page")
            for w in page.iter("word")]


def test_pdf_renders_markdown_links_tables_and_bold(compiled, tmp_path):
    pdf = compiled[1]
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "**" not in text and "](" not in text and "|---" not in text.replace(" ", "")
    assert "alert" not in text and "onerror" not in text
    for words in ("Border security", "Programme", "First step", "the guide"):
        assert words in text
    uris = [annotation.get_object()["/A"]["/URI"] for page in reader.pages
            for annotation in page.get("/Annots") or []
            if annotation.get_object().get("/A", {}).get("/URI")]
    assert "https://example.org/guide" in uris
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert any("Bold" in f for f in fonts), fonts
    words = _words(pdf, tmp_path)
    bullets = [w for w in words if w[0] == "•"]
    assert len(bullets) >= 4  # both English and Arabic list items have their marker


def test_pdf_lays_arabic_paragraphs_out_right_to_left(compiled, tmp_path):
    words = _words(compiled[1], tmp_path)
    page_width = 210 * MM
    right_margin = page_width - 16 * MM
    # The Arabic paragraph ends at the right margin (its start), the English at the left.
    arabic = [w for w in words if w[0] in ("الجامعة", "ةعماجلا", "البند", "دنبلا")]
    assert arabic
    assert max(w[3] for w in arabic) > right_margin - 10 * MM, arabic
    english = [w for w in words if w[0] == "Border"]
    assert min(w[1] for w in english) < 40 * MM
