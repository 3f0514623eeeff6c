"""Staff views of the lists: CSV and XLSX exports, the list of participants as HTML and PDF."""

from flask import render_template, request

from ..exports import CSV, PDF, XLSX, download
from ..loading import loads
from ..models import Meeting
from ..pdf import render_pdf
from .exports import registrations_csv, registrations_xlsx
from .participants import ordered_registrations, participants_context
from .routes import bp, filter_form


@bp.route("/export.<any(csv, xlsx):fmt>")
@loads(meeting=Meeting)
def export(fmt: str, meeting: Meeting):
    """Every field of the registrations matching the filters (status=approved: the participants)."""
    values = filter_form(meeting).values()
    delegates = ordered_registrations(meeting, **values)
    name = f"registrations-meeting-{meeting.id}"
    if values.get("status"):
        name += f"-{values['status']}"
    if fmt == "csv":
        return download(registrations_csv(delegates), CSV, f"{name}.csv")
    return download(registrations_xlsx(delegates), XLSX, f"{name}.xlsx")


def _published() -> bool:
    return request.args.get("published") == "1"


@bp.route("/participants")
@loads(meeting=Meeting)
def participants(meeting: Meeting):
    """The printable list of participants (approved; published=1: only those who consented)."""
    return render_template("registrations/participants.html",
                           **participants_context(meeting, published=_published()))


@bp.route("/participants.pdf")
@loads(meeting=Meeting)
def participants_pdf(meeting: Meeting):
    """The list of participants as a PDF document."""
    context = participants_context(meeting, published=_published())
    pdf = render_pdf("registrations/participants_document.html", **context)
    suffix = "-published" if context["published"] else ""
    return download(pdf, PDF, f"list-of-participants-meeting-{meeting.id}{suffix}.pdf")
