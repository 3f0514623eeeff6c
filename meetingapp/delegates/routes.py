from flask import Blueprint, render_template

from ..exports import PDF, download
from ..links import opens_link, protect_link_blueprint
from ..models import Delegate
from ..pdf import render_pdf
from ..registrations.participants import participants_context
from .services import find_delegate

bp = Blueprint("delegates", __name__, url_prefix="/d")

protect_link_blueprint(bp)


# A view of the delegate's link starts from the delegate (404/410 for a bad link).
opens_delegate = opens_link(find_delegate, "delegate")


@bp.route("/<token>")
@opens_delegate
def page(token: str, delegate: Delegate):
    """The delegate's registration, the meeting and its programme."""
    return render_template("delegates/page.html", delegate=delegate, meeting=delegate.meeting,
                           organisation=delegate.invitation.organisation, token=token)


@bp.route("/<token>/participants")
@opens_delegate
def participants(token: str, delegate: Delegate):
    """The published list of participants (those who agreed to appear)."""
    return render_template("delegates/participants.html", token=token,
                           **participants_context(delegate.meeting, published=True))


@bp.route("/<token>/participants.pdf")
@opens_delegate
def participants_pdf(token: str, delegate: Delegate):
    """The published list of participants as a PDF document."""
    pdf = render_pdf("registrations/participants_document.html",
                     **participants_context(delegate.meeting, published=True))
    filename = f"list-of-participants-meeting-{delegate.meeting_id}.pdf"
    return download(pdf, PDF, filename)
