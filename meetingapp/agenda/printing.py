"""The programme as a PDF document (WeasyPrint, through meetingapp.pdf)."""

from flask import Response, render_template

from ..errors import render_error
from ..exports import PDF, download
from ..models import utcnow
from ..pdf import PdfUnavailable, html_to_pdf
from .programme import Programme


def programme_pdf_response(programme: Programme) -> Response:
    """A PDF download of ``programme`` (an error page saying why when WeasyPrint is missing)."""
    html = render_template("agenda/programme_document.html", meeting=programme.meeting,
                           programme=programme, generated_at=utcnow())
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as error:
        return render_error(500, str(error))
    label = f"version-{programme.number}" if programme.number else "draft"
    filename = f"programme-meeting-{programme.meeting.id}-{label}.pdf"
    return download(pdf, PDF, filename)
