"""Files sent for download: the one way their responses are built (CSV, XLSX, PDF, ...)."""

from flask import Response

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def download(body, content_type: str, filename: str) -> Response:
    """``body`` as an attachment named ``filename``: never cached, never sniffed.

    ``content_type`` is sent as given (a ``mimetype`` would get a second charset).
    """
    return Response(body, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    })
