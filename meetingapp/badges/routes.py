"""Staff views: the badges of a meeting, printing them, re-issuing a check-in code."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import STAFF_ROLES, restrict_blueprint
from ..exports import PDF, download
from ..extensions import db
from ..formtools import is_row_id
from ..jobs import start_job
from ..loading import loads
from ..mail.messages import slugify
from ..models import CheckinCode, Meeting, RegistrationStatus
from ..models.registration import Delegate
from ..pdf import PdfUnavailable
from ..registrations.participants import invited_organisations
from .codes import CodeKeyChanged, badge_number, reissue_code
from .forms import ConfirmForm, OrganisationFilterForm, PrintForm
from .services import (
    BadgeError,
    check_layout,
    code_rows,
    print_badges,
    record_printing,
    select_delegates,
)

bp = Blueprint("badges", __name__, url_prefix="/meetings/<int:meeting_id>/badges")

restrict_blueprint(bp, *STAFF_ROLES)


def _organisation_choices(meeting: Meeting) -> list[tuple[str, str]]:
    return [("", _("Every organisation")), *invited_organisations(meeting)]


@bp.route("/")
@loads(meeting=Meeting)
def index(meeting: Meeting):
    """The approved delegates with their badge numbers; print some, all, or one."""
    filters = OrganisationFilterForm(request.args)
    filters.organisation.choices = _organisation_choices(meeting)
    chosen = filters.organisation.data or ""
    organisation_id = int(chosen) if is_row_id(chosen) else None
    delegates = select_delegates(meeting, organisation_id=organisation_id).delegates
    rows = code_rows(delegates, issue=False)
    numbers = {d.id: badge_number(d, rows.get(d.id)) for d in delegates}
    form = PrintForm(organisation_id=organisation_id)
    return render_template("badges/index.html", meeting=meeting, delegates=delegates, rows=rows,
                           numbers=numbers, form=form, filters=filters,
                           organisation_id=organisation_id,
                           sync_limit=current_app.config["BADGES_SYNC_LIMIT"])


def _back(meeting: Meeting, organisation_id=None):
    return redirect(url_for("badges.index", meeting_id=meeting.id,
                            **({"organisation": organisation_id} if organisation_id else {})))


def _download(pdf: bytes, filename: str) -> Response:
    return download(pdf, PDF, filename)


@bp.route("/print", methods=["POST"])
@loads(meeting=Meeting)
def print_pdf(meeting: Meeting):
    """The PDF of the ticked badges or of every approved one; a large batch as a background job."""
    form = PrintForm()
    organisation_id = form.organisation_id.data
    if not form.validate_on_submit():
        flash(_("Choose single badges or A4 sheets."), "danger")
        return _back(meeting, organisation_id)
    one = request.form.get("one", "")  # a row's own "PDF" button
    ids = [one] if one else request.form.getlist("ids")
    if not all(is_row_id(i) for i in ids):
        abort(400)
    try:
        selection = (select_delegates(meeting, organisation_id=organisation_id)
                     if form.print_all.data and not one else select_delegates(meeting, ids=ids))
    except LookupError:
        abort(404)
    for delegate, why in selection.skipped:
        flash(_("No badge for %(name)s: %(why)s.", name=delegate.display_name, why=why), "warning")
    delegates, layout = selection.delegates, check_layout(form.layout.data)
    if not delegates:
        flash(_("Tick at least one approved delegate.") if not form.print_all.data else
              _("No delegate is approved yet: there is no badge to print."), "danger")
        return _back(meeting, organisation_id)
    if len(delegates) > current_app.config["BADGES_SYNC_LIMIT"]:
        code_rows(delegates)
        record_printing(meeting, delegates, layout, background=True)
        job = start_job("badges", {"delegate_ids": [d.id for d in delegates], "layout": layout},
                        current_user._get_current_object(), meeting)
        db.session.commit()
        return redirect(url_for("jobs.detail", job_id=job.id))
    try:
        pdf = print_badges(meeting, delegates, layout)
    except (BadgeError, CodeKeyChanged, PdfUnavailable) as error:
        db.session.rollback()
        flash(str(error), "danger")
        return _back(meeting, organisation_id)
    db.session.commit()
    name = f"badge-{delegates[0].id}" if len(delegates) == 1 else f"badges-meeting-{meeting.id}"
    return _download(pdf, f"{slugify(name, 60)}-{layout}.pdf")


@bp.route("/<int:delegate_id>/reissue", methods=["GET", "POST"])
@loads(meeting=Meeting, delegate=Delegate)
def reissue(meeting: Meeting, delegate: Delegate):
    """Ask first (GET), then draw a new check-in code (POST): the old badge stops working."""
    if delegate.meeting_id != meeting.id:
        abort(404)
    if delegate.status != RegistrationStatus.APPROVED:
        flash(_("%(name)s is not approved: there is no badge to re-issue.",
                name=delegate.display_name), "warning")
        return _back(meeting)
    row = db.session.scalar(select(CheckinCode).where(CheckinCode.delegate_id == delegate.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        row = reissue_code(delegate, current_user._get_current_object())
        db.session.commit()
        flash(_("New check-in code for %(name)s (badge %(number)s): print the new badge; the "
                "old one now scans as unknown.", name=delegate.display_name,
                number=badge_number(delegate, row)), "success")
        return _back(meeting)
    return render_template("badges/reissue.html", meeting=meeting, delegate=delegate, row=row,
                           number=badge_number(delegate, row), form=form)
