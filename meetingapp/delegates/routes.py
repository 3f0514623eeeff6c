from flask import Response, current_app, render_template

from ..errors import render_error
from ..extensions import limiter
from ..pdf import render_pdf
from ..registrations.participants import participants_context
from . import PAGE_SECTIONS, bp
from .services import LinkGone, LinkUnknown, find_delegate

limiter.limit(lambda: current_app.config["PORTAL_RATE_LIMIT"])(bp)


@bp.after_request
def _private_page(response):
    """Personal pages: not indexed, not cached, the token never sent on as a referrer."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _open(token: str):
    """The delegate for ``token``, or an error response for a bad link."""
    try:
        return find_delegate(token), None
    except LinkUnknown:
        return None, render_error(404, "This link is not valid. If you received a newer "
                                  "e-mail from the secretariat, please use the link in it.")
    except LinkGone as gone:
        return None, render_error(410, str(gone))


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
