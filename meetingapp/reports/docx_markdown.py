"""Markdown into a Word document: real runs (bold, italic, code, links), lists and tables.

The text is read with markdown-it-py's token stream, parsed as the pages parse it
(``markdown.parse_markdown``), and what the pages' sanitiser would drop is dropped here
too: raw HTML gives only its words, script and style give nothing, links go only to
http, https and mailto addresses. Each paragraph, list item and table cell is laid out
right to left when its own first words are Arabic or Hebrew.
"""

import html
import re

import nh3
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor

from ..markdown import URL_SCHEMES, inline_text, parse_markdown, text_direction

MONOSPACE = "Courier New"
# Raw HTML whose content is never text (nh3 removes it with its content on the pages).
HIDDEN_TAGS = re.compile(r"<\s*(/?)\s*(script|style|template|noscript|iframe|object|textarea)\b",
                         re.IGNORECASE)
FORMAT_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "s": "strike",
               "del": "strike", "code": "code"}


def set_direction(paragraph, direction: str) -> None:
    """Mark ``paragraph`` (and every run in it, links included) right to left, or not."""
    if direction != "rtl":
        return
    paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
    for run in paragraph._p.iter(qn("w:r")):
        properties = run.find(qn("w:rPr"))
        if properties is None:
            properties = OxmlElement("w:rPr")
            run.insert(0, properties)
        properties.append(OxmlElement("w:rtl"))


class _Builder:
    """Adds one Markdown text to a document (or a table cell), token by token."""

    def __init__(self, document, heading_level: int):
        self.document = document
        self.heading_level = heading_level
        self.lists: list[dict] = []  # open lists, innermost last
        self.quote = 0

    # ----- blocks -----

    def add(self, tokens) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                ordered = kind == "ordered_list_open"
                self.lists.append({"ordered": ordered, "num": self._new_numbering(
                    int(token.attrGet("start") or 1)) if ordered else None})
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote -= 1
            elif kind == "heading_open":
                level = min(self.heading_level + int(token.tag[1]) - 1, 9)
                self._inline(self.document.add_heading("", level=level), tokens[index + 1])
                index += 2
            elif kind == "paragraph_open":
                self._inline(self._paragraph(), tokens[index + 1])
                index += 2
            elif kind in ("fence", "code_block"):
                paragraph = self._paragraph()
                for n, line in enumerate(token.content.rstrip("\n").split("\n")):
                    if n:
                        paragraph.add_run().add_break(WD_BREAK.LINE)
                    paragraph.add_run(line).font.name = MONOSPACE
            elif kind == "html_block":
                words = nh3.clean(token.content, tags=set()).strip()
                if words:
                    paragraph = self._paragraph()
                    paragraph.add_run(html.unescape(words))
                    set_direction(paragraph, text_direction(words))
            elif kind == "table_open":
                end = next(i for i in range(index, len(tokens))
                           if tokens[i].type == "table_close")
                self._table(tokens[index:end])
                index = end
            index += 1

    def _paragraph(self):
        if self.lists:
            depth = min(len(self.lists), 3)
            current = self.lists[-1]
            name = "List Number" if current["ordered"] else "List Bullet"
            paragraph = self.document.add_paragraph(
                style=name if depth == 1 else f"{name} {depth}")
            if current["num"] is not None:
                properties = paragraph._p.get_or_add_pPr()
                numbering = properties.get_or_add_numPr()
                numbering.get_or_add_numId().val = current["num"]
                numbering.get_or_add_ilvl().val = 0
            return paragraph
        return self.document.add_paragraph(style="Quote" if self.quote else None)

    def _new_numbering(self, start: int) -> int | None:
        """A numbering of its own for an ordered list, so that each list counts from its start."""
        try:
            part = self.document.part.numbering_part
            style = self.document.styles["List Number"]
        except (KeyError, NotImplementedError):
            return None
        numbering = part.element
        style_num = style.element.pPr.numPr.numId.val if style.element.pPr is not None and \
            style.element.pPr.numPr is not None else None
        if style_num is None:
            return None
        existing = numbering.num_having_numId(style_num)
        abstract = existing.abstractNumId.val
        num = numbering.add_num(abstract)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start_override = OxmlElement("w:startOverride")
        start_override.set(qn("w:val"), str(start))
        override.append(start_override)
        num.append(override)
        return num.numId

    def _table(self, tokens) -> None:
        rows: list[list[tuple[bool, object]]] = []
        for index, token in enumerate(tokens):
            if token.type == "tr_open":
                rows.append([])
            elif token.type in ("th_open", "td_open"):
                rows[-1].append((token.type == "th_open", tokens[index + 1]))
        if not rows:
            return
        columns = max(len(row) for row in rows)
        table = self.document.add_table(rows=len(rows), cols=columns)
        if "Table Grid" in [s.name for s in self.document.styles]:
            table.style = "Table Grid"
        first_words = ""
        for r, row in enumerate(rows):
            for c, (header, inline) in enumerate(row):
                paragraph = table.cell(r, c).paragraphs[0]
                self._inline(paragraph, inline, bold=header)
                first_words = first_words or inline_text(inline).strip()
        if text_direction(first_words) == "rtl":
            table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))

    # ----- runs -----

    def _inline(self, paragraph, token, bold: bool = False) -> None:
        state = {"bold": int(bold), "italic": 0, "strike": 0, "code": 0}
        hidden = 0
        link = None
        for child in token.children or ():
            kind = child.type
            if kind == "html_inline":
                hidden_tag = HIDDEN_TAGS.match(child.content)
                if hidden_tag:
                    hidden += -1 if hidden_tag[1] else 1
                    hidden = max(hidden, 0)
                    continue
                tag = re.match(r"<\s*(/?)\s*([a-z]+)", child.content, re.IGNORECASE)
                if tag and tag[2].lower() in FORMAT_TAGS:
                    key = FORMAT_TAGS[tag[2].lower()]
                    state[key] = max(state[key] + (-1 if tag[1] else 1), 0)
                elif tag and tag[2].lower() == "br":
                    paragraph.add_run().add_break(WD_BREAK.LINE)
                continue
            if hidden:
                continue
            if kind in ("strong_open", "strong_close", "em_open", "em_close", "s_open",
                        "s_close"):
                key = {"strong": "bold", "em": "italic", "s": "strike"}[kind.rsplit("_", 1)[0]]
                state[key] += 1 if kind.endswith("open") else -1
            elif kind == "link_open":
                link = _hyperlink(paragraph, child.attrGet("href") or "")
            elif kind == "link_close":
                link = None
            elif kind in ("softbreak", "hardbreak"):
                paragraph.add_run().add_break(WD_BREAK.LINE)
            elif kind in ("text", "code_inline", "image"):
                text = child.content if kind != "image" else inline_text(child)
                if not text:
                    continue
                run = paragraph.add_run(text)
                run.bold = bool(state["bold"]) or None
                run.italic = bool(state["italic"]) or None
                run.font.strike = bool(state["strike"]) or None
                if kind == "code_inline" or state["code"]:
                    run.font.name = MONOSPACE
                if link is not None:
                    run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
                    run.underline = True
                    link.append(run._r)  # moved from the paragraph into the hyperlink
        set_direction(paragraph, text_direction(inline_text(token)))


def _hyperlink(paragraph, href: str):
    """A ``w:hyperlink`` to ``href`` at the end of ``paragraph`` (None: not a safe address)."""
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    if scheme not in URL_SCHEMES:
        return None
    relation = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    element = OxmlElement("w:hyperlink")
    element.set(qn("r:id"), relation)
    paragraph._p.append(element)
    return element


def add_markdown(document, text: str | None, heading_level: int = 4) -> None:
    """Append ``text`` (Markdown) to ``document``; its headings start at ``heading_level``."""
    if not text or not text.strip():
        return
    _Builder(document, heading_level).add(parse_markdown(text))

