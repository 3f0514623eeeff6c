"""Staff views of the lists: CSV and XLSX exports, the list of participants as HTML and PDF."""

from flask import Response, render_template, request

from ..pdf import render_pdf
from . import bp
from .exports import registrations_csv, registrations_xlsx
from .participants import ordered_registrations, participants_context
from .routes import filter_form, meeting_or_404

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    })


@bp.route("/export.<any(csv, xlsx):fmt>")
def export(meeting_id: int, fmt: str):
    """Every field of the registrations matching the filters (status=approved: the participants)."""
    meeting = meeting_or_404(meeting_id)
    values = filter_form(meeting).values()
    delegates = ordered_registrations(meeting, **values)
    name = f"registrations-meeting-{meeting.id}"
    if values.get("status"):
        name += f"-{values['status']}"
    if fmt == "csv":
        return _download(registrations_csv(delegates), "text/csv; charset=utf-8", f"{name}.csv")
    return _download(registrations_xlsx(delegates), XLSX_MIMETYPE, f"{name}.xlsx")


def _published() -> bool:
    return request.args.get("published") == "1"


@bp.route("/participants")
def participants(meeting_id: int):
    """The printable list of participants (approved; published=1: only those who consented)."""
    meeting = meeting_or_404(meeting_id)
    return render_template("registrations/participants.html",
                           **participants_context(meeting, published=_published()))


@bp.route("/participants.pdf")
def participants_pdf(meeting_id: int):
    """The list of participants as a PDF document."""
    meeting = meeting_or_404(meeting_id)
    context = participants_context(meeting, published=_published())
    pdf = render_pdf("registrations/participants_document.html", **context)
    suffix = "-published" if context["published"] else ""
    return _download(pdf, "application/pdf",
                     f"list-of-participants-meeting-{meeting.id}{suffix}.pdf")
