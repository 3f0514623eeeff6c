"""Markdown typed by staff or representatives, turned into safe HTML.

markdown-it-py renders CommonMark (raw HTML allowed, so that pasted markup
keeps its structure); nh3 (the Ammonia sanitiser) then keeps only a short list
of harmless tags and attributes: no script or style, no event handlers, no
``style`` attribute (the Content-Security-Policy forbids inline styles), and
links only to http, https and mailto addresses.
"""

import html as html_lib
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr",
    "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "bdi",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "*": {"lang", "dir"},
}
URL_SCHEMES = {"http", "https", "mailto"}


# Blocks that get an explicit direction for print (WeasyPrint has no dir="auto").
DIRECTED_BLOCKS = {"paragraph_open", "heading_open", "bullet_list_open", "ordered_list_open",
                   "list_item_open", "blockquote_open", "table_open", "th_open", "td_open"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "breaks": True}).enable("table").enable(
        "strikethrough")


def parse_markdown(text: str) -> list:
    """markdown-it-py's token stream of ``text``, parsed as every page renders it."""
    return _parser().parse(text)


def text_direction(text: str) -> str:
    """"rtl" when the first strong letter of ``text`` is Arabic or Hebrew, else "ltr"."""
    for char in text:
        if "\u0590" <= char <= "\u08ff" or "\ufb1d" <= char <= "\ufefc":
            return "rtl"
        if char.isalpha():
            return "ltr"
    return "ltr"


def inline_text(token) -> str:
    """The words of an inline token, markup and raw HTML tags left out."""
    return "".join(child.content for child in token.children or ()
                   if child.type in ("text", "code_inline"))


def _set_directions(tokens) -> None:
    """Give each block the direction of its first words (``dir="rtl"`` or ``"ltr"``)."""
    for index, token in enumerate(tokens):
        if token.type in DIRECTED_BLOCKS:
            following = next((t for t in tokens[index:] if t.type == "inline"
                              and inline_text(t).strip()), None)
            token.attrSet("dir", text_direction(inline_text(following) if following else ""))


def render_markdown(text: str | None, heading_offset: int = 2, *,
                    directions: bool = False) -> Markup:
    """Markdown to sanitised HTML; headings start at h(1 + heading_offset), h3 by default.

    The offset keeps a description's headings below the page's own. ``directions`` sets
    each block's ``dir`` from its own text (for PDF, where ``dir="auto"`` is not read).
    """
    if not text or not text.strip():
        return Markup("")
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + heading_offset, 6)}"
    if directions:
        _set_directions(tokens)
    html = parser.renderer.render(tokens, parser.options, {})
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                      strip_comments=True)
    return Markup(clean)  # noqa: S704  (sanitised just above)


def markdown_to_text(text: str | None) -> str:
    """Plain text of a Markdown description, for e-mail: markup removed, paragraphs kept."""
    rendered = str(render_markdown(text))
    if not rendered:
        return ""
    rendered = re.sub(r"</(p|li|h\d|tr|pre|blockquote)>|<br>", "\n", rendered)
    plain = html_lib.unescape(nh3.clean(rendered, tags=set()))
    lines = [line.strip() for line in plain.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
