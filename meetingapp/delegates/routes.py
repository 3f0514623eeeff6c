from flask import Response, render_template

from ..links import open_link, protect_link_blueprint
from ..pdf import render_pdf
from ..registrations.participants import participants_context
from . import PAGE_SECTIONS, bp
from .services import find_delegate

protect_link_blueprint(bp)


def _open(token: str):
    """The delegate for ``token``, or an error response for a bad link."""
    return open_link(find_delegate, token)


@bp.route("/<token>")
def page(token: str):
    """The delegate's registration, the meeting and its programme."""
    delegate, error = _open(token)
    if error:
        return error
    sections = [(s.template, s.context(delegate) if s.context else {}) for s in PAGE_SECTIONS]
    return render_template("delegates/page.html", delegate=delegate, meeting=delegate.meeting,
                           organisation=delegate.invitation.organisation, token=token,
                           sections=sections)


@bp.route("/<token>/participants")
def participants(token: str):
    """The published list of participants (those who agreed to appear)."""
    delegate, error = _open(token)
    if error:
        return error
    return render_template("delegates/participants.html", token=token,
                           **participants_context(delegate.meeting, published=True))


@bp.route("/<token>/participants.pdf")
def participants_pdf(token: str):
    """The published list of participants as a PDF document."""
    delegate, error = _open(token)
    if error:
        return error
    pdf = render_pdf("registrations/participants_document.html",
                     **participants_context(delegate.meeting, published=True))
    filename = f"list-of-participants-meeting-{delegate.meeting_id}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Content-Type-Options": "nosniff"})
