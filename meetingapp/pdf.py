"""PDF documents from HTML templates, rendered with WeasyPrint.

Lists of participants, badges and the compiled report are HTML templates
turned into PDF here. Pango and HarfBuzz shape the text: Arabic is joined
and laid out right to left, and each character falls back along the font
stack below to a font that has it (Latin, Cyrillic and Greek in Noto Sans,
Arabic in Noto Naskh Arabic, Chinese in Noto Sans CJK, DejaVu Sans last).
The fonts come from the system packages of ``scripts/install-system-deps.sh``.

Rendering never fetches anything from the network or the disk: only
``data:`` URLs (inline images such as QR codes) are allowed.
"""

from flask import render_template

FONT_STACK = ('"Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Sans CJK SC", '
              '"DejaVu Sans", sans-serif')

BASE_CSS = f"""
@page {{
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-center {{ content: counter(page) " / " counter(pages); font-size: 8pt; color: #444; }}
}}
/* No optional ligatures (fi, the Arabic "Allah" ligature): text copied or
   extracted from the PDF then reads exactly as typed. Arabic letters still join. */
html {{ font-family: {FONT_STACK}; font-size: 10pt; line-height: 1.35; color: #000;
  font-variant-ligatures: no-common-ligatures; }}
bdi {{ unicode-bidi: isolate; }}
:lang(ar), [dir="rtl"] {{ font-family: "Noto Naskh Arabic", "Noto Sans Arabic", {FONT_STACK}; }}
:lang(zh) {{ font-family: "Noto Sans CJK SC", {FONT_STACK}; }}
h1 {{ font-size: 16pt; margin: 0 0 4mm; }}
h2 {{ font-size: 13pt; margin: 6mm 0 2mm; break-after: avoid; }}
h3 {{ font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }}
p, ul {{ margin: 0 0 2mm; }}
a {{ color: inherit; text-decoration: none; }}
.no-print {{ display: none; }}
"""


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are not installed."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango's shared libraries missing
        raise PdfUnavailable(
            "PDF rendering needs WeasyPrint and Pango: run scripts/install-system-deps.sh "
            "(as root) and pip install -r requirements.txt.") from error
    return weasyprint


def html_to_pdf(html: str, *, extra_css: str = "") -> bytes:
    """PDF bytes of an HTML document, with the shared page and font styles."""
    weasyprint = _weasyprint()
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    stylesheets = [weasyprint.CSS(string=BASE_CSS, url_fetcher=fetcher)]
    if extra_css:
        stylesheets.append(weasyprint.CSS(string=extra_css, url_fetcher=fetcher))
    document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets)


def render_pdf(template_name: str, **context) -> bytes:
    """Render ``templates/<template_name>`` with ``context`` and return it as a PDF."""
    return html_to_pdf(render_template(template_name, **context))
