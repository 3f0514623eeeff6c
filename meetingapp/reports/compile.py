"""The compiled report (DOCX and PDF) and the communiqué draft (DOCX)."""

import io
from datetime import UTC, datetime
from itertools import groupby

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..i18n import current_language
from ..markdown import markdown_to_text, render_markdown, text_direction
from ..models import Meeting
from ..models.organisation import ORGANISATION_KINDS
from ..models.outcome import OUTCOME_KIND_LABELS, Outcome
from ..pdf import html_to_pdf
from ..timezones import format_local
from .docx_markdown import add_markdown, set_direction
from .services import accepted_contributions, sections_of

# Headings of the compiled report, in the language in force (English for now).
REPORT_TITLE = _l("Report on the activities of international, regional and sub-regional "
                  "organisations")
KIND_HEADINGS = {"international": _l("International organisations"),
                 "regional": _l("Regional organisations"),
                 "sub-regional": _l("Sub-regional organisations")}
ANNEX_TITLE = _l("Annex: outcomes and commitments by organisation")
PDF_CSS = """
.title-page { break-after: page; text-align: center; padding-top: 60mm; }
.toc { break-after: page; }
.toc a::after { content: leader('.') target-counter(attr(href), page); }
h2.kind { break-before: page; }
"""


def _paragraphs(markdown: str) -> list[str]:
    """Plain-text paragraphs of sanitised Markdown (script and markup removed)."""
    text = markdown_to_text(markdown)
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def report_structure(meeting: Meeting) -> dict:
    """What both formats show: contributions grouped by kind, the outcomes annex."""
    sections = sections_of(meeting, create_defaults=False)
    groups = []
    for kind, items in groupby(accepted_contributions(meeting), key=lambda c: c.organisation.kind):
        entries = []
        for c in items:
            # Each section's Markdown as typed, shown only when it has words.
            parts = [(s.title, c.text_for(s.id)) for s in sections]
            entries.append({"organisation": c.organisation,
                            "dir": text_direction(c.organisation.name),
                            "sections": [(t, text) for t, text in parts
                                         if _paragraphs(text)]})
        groups.append({"kind": kind, "heading": str(KIND_HEADINGS[kind]), "entries": entries})
    outcomes = db.session.scalars(select(Outcome).where(Outcome.meeting_id == meeting.id)
                                  .order_by(Outcome.kind, Outcome.id)).all()
    by_org: dict = {}
    for outcome in outcomes:
        orgs = list(outcome.organisations) or [None]
        for org in orgs:
            by_org.setdefault(org, []).append(outcome)
    # The body's UN order: international, regional, sub-regional, then by name.
    annex = sorted(((org, items) for org, items in by_org.items() if org is not None),
                   key=lambda pair: (ORGANISATION_KINDS.index(pair[0].kind),
                                     pair[0].name.casefold()))
    if None in by_org:
        annex.append((None, by_org[None]))
    annex_rows = [{"name": org.display_name if org else _("Not linked to an organisation"),
                   "dir": text_direction(org.name) if org else "ltr",
                   "outcomes": [_outcome_line(o) for o in items]} for org, items in annex]
    return {"meeting": meeting, "title": str(REPORT_TITLE), "groups": groups,
            "annex": annex_rows,
            "date": format_local(meeting.starts_at, meeting.timezone, "%d %B %Y"),
            "annex_title": str(ANNEX_TITLE)}


def _outcome_line(outcome: Outcome) -> dict:
    follow = ""
    if outcome.followed:
        bits = [str(outcome.status_label)]
        if outcome.owner:
            bits.append(_("owner: %(organisation)s", organisation=outcome.owner.display_name))
        if outcome.due_on:
            bits.append(_("due %(date)s", date=outcome.due_on.strftime("%d %B %Y")))
        elif outcome.due_note:
            bits.append(_("due %(note)s", note=outcome.due_note))
        follow = "; ".join(bits)
    text = " ".join(_paragraphs(outcome.text))
    return {"kind": str(OUTCOME_KIND_LABELS[outcome.kind]), "text": text,
            "dir": text_direction(text), "follow": follow}


def markdown_html(text: str):
    """A contribution's Markdown as sanitised HTML for the PDF, each block's direction set."""
    return render_markdown(text, heading_offset=4, directions=True)


def _bidi(paragraph) -> None:
    """Mark a right-to-left paragraph (and its runs) so that Word lays it out right."""
    if not paragraph._p.xpath("./w:pPr/w:bidi"):
        set_direction(paragraph, text_direction(paragraph.text))


def _new_document(title: str, subject: str):
    """An empty DOCX whose core properties are ours, not python-docx's template's (2013)."""
    document = Document()
    properties = document.core_properties
    now = datetime.now(UTC).replace(microsecond=0)
    secretariat = current_app.config["SECRETARIAT_NAME"]
    properties.title = title
    properties.subject = subject
    properties.author = secretariat
    properties.last_modified_by = secretariat
    properties.comments = ""
    properties.created = properties.modified = now
    properties.revision = 1
    properties.language = current_language()
    return document


def _toc_field(document) -> None:
    """A Word table-of-contents field (Word fills in page numbers when it updates fields)."""
    run = document.add_paragraph().add_run()
    begin, instr, sep, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                              OxmlElement("w:fldChar"), OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    sep.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, sep, end):
        run._r.append(element)


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def compiled_docx(meeting: Meeting, progress=None) -> bytes:
    """The compiled report as an editable DOCX."""
    data = report_structure(meeting)
    document = _new_document(f"{data['title']} — {meeting.title}", meeting.title)
    document.add_heading(data["title"], level=0)
    document.add_paragraph(meeting.title)
    document.add_paragraph(f"{meeting.venue}, {data['date']}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph(_("Contents"), style="TOC Heading" if "TOC Heading" in [
        s.name for s in document.styles] else None).runs[0].bold = True
    for group in data["groups"]:
        document.add_paragraph(group["heading"])
        for entry in group["entries"]:
            document.add_paragraph(entry["organisation"].display_name, style="List Bullet")
    document.add_paragraph(data["annex_title"])
    _toc_field(document)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    total = sum(len(g["entries"]) for g in data["groups"]) or 1
    done = 0
    for group in data["groups"]:
        document.add_heading(group["heading"], level=1)
        for entry in group["entries"]:
            document.add_heading(entry["organisation"].display_name, level=2)
            for title, text in entry["sections"]:
                document.add_heading(title, level=3)
                add_markdown(document, text, heading_level=4)
            done += 1
            if progress:
                progress(5 + 85 * done / total, _("%(done)d of %(total)d contributions",
                                                  done=done, total=total))
    document.add_heading(data["annex_title"], level=1)
    for row in data["annex"]:
        document.add_heading(row["name"], level=2)
        for line in row["outcomes"]:
            text = f"{line['kind']}: {line['text']}" + (f" ({line['follow']})"
                                                       if line["follow"] else "")
            document.add_paragraph(text, style="List Bullet")
    for paragraph in document.paragraphs:
        _bidi(paragraph)
    return _save(document)


def compiled_pdf(meeting: Meeting, progress=None) -> bytes:
    """The compiled report as PDF (WeasyPrint; every UN script shaped)."""
    from flask import render_template

    data = report_structure(meeting)
    if progress:
        progress(20, _("Laying out the pages"))
    return html_to_pdf(render_template("reports/compiled_pdf.html", markdown_html=markdown_html,
                                       **data), extra_css=PDF_CSS)


def communique_docx(meeting: Meeting) -> bytes:
    """A draft communiqué of the meeting's summaries, conclusions and recommendations."""
    outcomes = db.session.scalars(select(Outcome).where(
        Outcome.meeting_id == meeting.id,
        Outcome.kind.in_(("summary", "conclusion", "recommendation")))
        .order_by(Outcome.id)).all()
    title = _("Communiqué — %(meeting)s", meeting=meeting.title)
    document = _new_document(title, meeting.title)
    document.add_heading(title, level=0)
    document.add_paragraph(f"{meeting.venue}, "
                           f"{format_local(meeting.starts_at, meeting.timezone, '%d %B %Y')}")
    document.add_paragraph(_("DRAFT for the secretariat to edit.")).runs[0].italic = True
    for kind, heading in (("summary", _("Summary")), ("conclusion", _("Conclusions")),
                          ("recommendation", _("Recommendations"))):
        items = [o for o in outcomes if o.kind == kind]
        if not items:
            continue
        document.add_heading(heading, level=1)
        for outcome in items:
            for paragraph in _paragraphs(outcome.text):
                document.add_paragraph(paragraph, style="List Number" if kind != "summary"
                                       else None)
    for paragraph in document.paragraphs:
        _bidi(paragraph)
    return _save(document)
