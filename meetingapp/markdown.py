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


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "breaks": True}).enable("table").enable(
        "strikethrough")


def render_markdown(text: str | None, heading_offset: int = 2) -> Markup:
    """Markdown to sanitised HTML; headings start at h(1 + heading_offset), h3 by default.

    The offset keeps a description's headings below the page's own.
    """
    if not text or not text.strip():
        return Markup("")
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + heading_offset, 6)}"
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
