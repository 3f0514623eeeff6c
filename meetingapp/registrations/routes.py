"""Staff views: the list of registrations, decisions one by one or in bulk, nomination letters."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..access import STAFF_ROLES, restrict_blueprint
from ..extensions import db
from ..formtools import ConfirmForm, is_row_id
from ..loading import loads
from ..mail.services import last_messages_for
from ..models import Invitation, Meeting, Organisation
from ..models.registration import Delegate, NominationLetter
from ..text import is_local_path
from .errors import RegistrationError
from .forms import BulkDecisionForm, FilterForm, RejectForm
from .participants import invited_organisations, registrations_count, registrations_query
from .services import approve, counts_by_status, decide_many, reject

bp = Blueprint("registrations", __name__,
               url_prefix="/meetings/<int:meeting_id>/registrations")

restrict_blueprint(bp, *STAFF_ROLES)


def _delegate(meeting: Meeting, delegate_id: int) -> Delegate:
    # With its invitation and organisation (decisions and their e-mail need both).
    delegate = db.session.get(Delegate, delegate_id, options=[
        joinedload(Delegate.invitation).joinedload(Invitation.organisation)])
    if delegate is None or delegate.meeting_id != meeting.id:
        abort(404)
    return delegate




def filter_form(meeting: Meeting) -> FilterForm:
    """The list's filters, read from the query string; organisations are the invited ones."""
    form = FilterForm(request.args)
    form.organisation.choices = [("", _("Any organisation")), *invited_organisations(meeting)]
    return form


def _letters(meeting: Meeting) -> list[NominationLetter]:
    return db.session.scalars(
        select(NominationLetter).join(Invitation, NominationLetter.invitation_id == Invitation.id)
        .join(Organisation, Invitation.organisation_id == Organisation.id)
        .where(Invitation.meeting_id == meeting.id).order_by(Organisation.name_key)).all()


@bp.route("/")
@loads(meeting=Meeting)
def index(meeting: Meeting):
    """Every registration of the meeting, filtered, a page at a time, with bulk decisions."""
    filters = filter_form(meeting)
    values = filters.values()
    counts = counts_by_status(meeting)
    page = db.paginate(registrations_query(meeting, **values),
                       per_page=current_app.config["PER_PAGE"], error_out=False, count=False)
    # Unfiltered, the total is the sum of the counts by status: no second count.
    page.total = registrations_count(meeting, **values) if values else sum(counts.values())
    return render_template(
        "registrations/index.html", meeting=meeting, page=page, filters=filters, values=values,
        counts=counts, bulk=BulkDecisionForm(), letters=_letters(meeting),
        messages=last_messages_for("delegates", [d.id for d in page.items]))


@bp.route("/<int:delegate_id>")
@loads(meeting=Meeting)
def detail(delegate_id: int, meeting: Meeting):
    """One registration with every field, its e-mail and the decision forms."""
    delegate = _delegate(meeting, delegate_id)
    return _render_detail(meeting, delegate, RejectForm())


def _render_detail(meeting: Meeting, delegate: Delegate, reject_form: RejectForm, status=200):
    letter = db.session.scalar(select(NominationLetter).where(
        NominationLetter.invitation_id == delegate.invitation_id))
    messages = last_messages_for("delegates", [delegate.id])
    return render_template("registrations/detail.html", meeting=meeting, delegate=delegate,
                           letter=letter, reject_form=reject_form, confirm=ConfirmForm(),
                           message=messages.get(delegate.id)), status


@bp.route("/<int:delegate_id>/approve", methods=["POST"])
@loads(meeting=Meeting)
def approve_one(delegate_id: int, meeting: Meeting):
    delegate = _delegate(meeting, delegate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        changed = approve(delegate)
    except RegistrationError as error:
        flash(str(error), "danger")
        return redirect(url_for("registrations.detail", meeting_id=meeting.id,
                                delegate_id=delegate.id))
    # Read before the commit, which expires both.
    name, back = delegate.display_name, url_for("registrations.index", meeting_id=meeting.id)
    db.session.commit()
    if changed:
        flash(_("%(name)s approved; the personal link is on its way by e-mail.", name=name),
              "success")
    else:
        flash(_("%(name)s was already approved; nothing changed.", name=name), "info")
    return redirect(back)


@bp.route("/<int:delegate_id>/reject", methods=["POST"])
@loads(meeting=Meeting)
def reject_one(delegate_id: int, meeting: Meeting):
    delegate = _delegate(meeting, delegate_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_detail(meeting, delegate, form, status=400)
    try:
        changed = reject(delegate, form.reason.data)
    except RegistrationError as error:
        flash(str(error), "danger")
        return redirect(url_for("registrations.detail", meeting_id=meeting.id,
                                delegate_id=delegate.id))
    db.session.commit()
    if changed:
        flash(_("%(name)s not approved; they are told why by e-mail.",
                name=delegate.display_name), "success")
    else:
        flash(_("%(name)s was already rejected for that reason.", name=delegate.display_name),
              "info")
    return redirect(url_for("registrations.index", meeting_id=meeting.id))


@bp.route("/bulk", methods=["POST"])
@loads(meeting=Meeting)
def bulk(meeting: Meeting):
    """Approve or reject every ticked registration (each checked to be this meeting's)."""
    form = BulkDecisionForm()
    back = redirect(request.form.get("next") if is_local_path(request.form.get("next")) else
                    url_for("registrations.index", meeting_id=meeting.id))
    if not form.validate_on_submit():
        flash(_("The reason is too long (2000 characters at most)."), "danger")
        return back
    ids = request.form.getlist("ids")
    if not all(is_row_id(i) for i in ids):
        abort(400)
    try:
        result = decide_many(meeting, ids, approve_them=bool(form.approve.data),
                             reason=form.reason.data or "")
    except LookupError:
        abort(404)
    except RegistrationError as error:
        flash(str(error), "danger")
        return back
    db.session.commit()
    if form.approve.data:
        flash(ngettext("%(num)d registration(s) approved; the delegates are told by e-mail.",
                       "%(num)d registration(s) approved; the delegates are told by e-mail.",
                       len(result.changed)), "success")
        if result.unchanged:
            flash(ngettext("%(num)d already approved: nothing changed for them.",
                           "%(num)d already approved: nothing changed for them.",
                           len(result.unchanged)), "info")
    else:
        flash(ngettext("%(num)d registration(s) not approved; the delegates are told by e-mail.",
                       "%(num)d registration(s) not approved; the delegates are told by e-mail.",
                       len(result.changed)), "success")
        if result.unchanged:
            flash(ngettext("%(num)d already not approved: nothing changed for them.",
                           "%(num)d already not approved: nothing changed for them.",
                           len(result.unchanged)), "info")
    for delegate, why in result.skipped:
        flash(_("Skipped %(name)s: %(reason)s", name=delegate.display_name, reason=why),
              "warning")
    return back


@bp.route("/letters/<int:invitation_id>")
@loads(meeting=Meeting)
def letter(invitation_id: int, meeting: Meeting):
    """Download a delegation's nomination letter (staff only, always as an attachment)."""
    found = db.session.scalar(
        select(NominationLetter).join(Invitation, NominationLetter.invitation_id == Invitation.id)
        .where(NominationLetter.invitation_id == invitation_id,
               Invitation.meeting_id == meeting.id))
    if found is None:
        abort(404)
    response = send_file(io.BytesIO(found.content), mimetype="application/pdf",
                         as_attachment=True, download_name=found.filename,
                         conditional=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
