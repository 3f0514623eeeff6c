"""Publishing, the changelog of versions, and the printable programme (HTML and PDF)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..loading import loads
from ..models import AgendaVersion, Meeting
from .errors import AgendaError
from .forms import PublishForm
from .printing import programme_pdf_response
from .programme import Programme, draft_programme, programme_from_snapshot
from .publication import change_text, preview_publication, publish_agenda, published_programme
from .queries import load_agenda, versions_of
from .routes import bp


@bp.route("/publish", methods=["GET", "POST"])
@loads(meeting=Meeting)
def publish(meeting: Meeting):
    """Show what changed since the last version; publish on confirmation."""
    form = PublishForm()
    if form.validate_on_submit():
        try:
            version = publish_agenda(meeting, form.fingerprint.data, form.note.data or "")
        except AgendaError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Version %(number)d of the agenda is published.", number=version.number),
                  "success")
            return redirect(url_for("agenda.version", meeting_id=meeting.id,
                                    number=version.number))
    preview = preview_publication(meeting)
    form.fingerprint.data = preview.fingerprint
    return render_template("agenda/publish.html", meeting=meeting, preview=preview, form=form,
                           change_text=change_text)


@bp.route("/versions/")
@loads(meeting=Meeting)
def versions(meeting: Meeting):
    """Every published version with its changes: the changelog."""
    return render_template("agenda/versions.html", meeting=meeting,
                           versions=versions_of(meeting), change_text=change_text)


@bp.route("/versions/<int:number>")
@loads(meeting=Meeting)
def version(number: int, meeting: Meeting):
    """One published version: its changes and the programme as it was published."""
    found = db.session.scalar(select(AgendaVersion).where(
        AgendaVersion.meeting_id == meeting.id, AgendaVersion.number == number))
    if found is None:
        abort(404)
    programme = programme_from_snapshot(meeting, found.snapshot, number=found.number,
                                        published_at=found.published_at)
    return render_template("agenda/version.html", meeting=meeting, version=found,
                           programme=programme, change_text=change_text)


def _programme_for_print(meeting: Meeting) -> Programme:
    if request.args.get("version") == "published":
        programme = published_programme(meeting)
        if programme is None:
            abort(404)
        return programme
    return draft_programme(load_agenda(meeting))


@bp.route("/print")
@loads(meeting=Meeting)
def print_view(meeting: Meeting):
    """The printable programme (the draft, or ``?version=published``)."""
    programme = _programme_for_print(meeting)
    return render_template("agenda/print.html", meeting=meeting, programme=programme,
                           pdf_url=url_for("agenda.print_pdf", meeting_id=meeting.id,
                                           version=request.args.get("version")),
                           back_url=url_for("agenda.index", meeting_id=meeting.id))


@bp.route("/print.pdf")
@loads(meeting=Meeting)
def print_pdf(meeting: Meeting):
    """The printable programme as a PDF document."""
    return programme_pdf_response(_programme_for_print(meeting))
