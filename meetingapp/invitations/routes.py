import csv
import io

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..access import STAFF_ROLES, restrict_blueprint
from ..exports import CSV, download
from ..extensions import db
from ..formtools import ConfirmForm
from ..loading import loads
from ..mail.services import last_messages_for
from ..models import InvitationStatus, Meeting, Organisation
from ..models.invitation import INVITATION_STATUSES, Invitation
from ..models.organisation import ORGANISATION_KINDS
from ..text import spreadsheet_safe
from .forms import InvitationEditForm, SelectionForm, TemplateForm
from .messages import (
    DEFAULTS,
    PLACEHOLDERS,
    is_customised,
    render_message,
    reset_wording,
    save_wording,
    template_for,
)
from .overview import filtered_invitations
from .services import (
    InvitationError,
    counts_by_kind,
    counts_by_status,
    invite,
    remind_unanswered,
    revoke,
    select_candidates,
    send_invitation,
    update_invitation,
)

bp = Blueprint("invitations", __name__, url_prefix="/meetings/<int:meeting_id>/invitations")

restrict_blueprint(bp, *STAFF_ROLES)


@bp.route("/")
@loads(meeting=Meeting)
def index(meeting: Meeting):
    filters = {k: request.args.get(k, "").strip() for k in ("status", "kind", "q")}
    page = db.paginate(filtered_invitations(meeting, **filters), error_out=False)
    return render_template(
        "invitations/index.html", meeting=meeting, page=page, filters=filters,
        by_status=counts_by_status(meeting), by_kind=counts_by_kind(meeting),
        statuses=INVITATION_STATUSES, kinds=ORGANISATION_KINDS,
        messages=last_messages_for("invitations", [inv.id for inv in page.items]),
        confirm=ConfirmForm())


@bp.route("/export.csv")
@loads(meeting=Meeting)
def export_csv(meeting: Meeting):
    filters = {k: request.args.get(k, "").strip() for k in ("status", "kind", "q")}
    invitations = db.session.scalars(filtered_invitations(meeting, **filters)).all()
    messages = last_messages_for("invitations", [inv.id for inv in invitations])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["organisation", "acronym", "kind", "region", "status", "email", "cc",
                     "quota", "sent_at", "viewed_at", "responded_at", "decline_reason",
                     "reminders", "last_email_status", "last_activity_at"])
    for inv in invitations:
        org, msg = inv.organisation, messages.get(inv.id)
        writer.writerow([spreadsheet_safe(v) for v in (
            org.name, org.acronym, org.kind, org.region, inv.status, inv.email, inv.cc,
            inv.quota, inv.sent_at, inv.viewed_at, inv.responded_at, inv.decline_reason,
            inv.reminder_count, msg.status if msg else "", inv.last_activity_at)])
    filename = f"invitations-meeting-{meeting.id}.csv"
    return download("\ufeff" + out.getvalue(), CSV, filename)


@bp.route("/new", methods=["GET", "POST"])
@loads(meeting=Meeting)
def new(meeting: Meeting):
    """Choose organisations, preview who receives what, then send."""
    form = SelectionForm()
    regions = db.session.scalars(select(Organisation.region).where(
        Organisation.active, Organisation.region != "").distinct().order_by(
        Organisation.region)).all()
    form.region.choices = [("", _("Any region"))] + [(r, r) for r in regions]
    form.organisations.choices = [(o.id, o.display_name) for o in db.session.scalars(
        select(Organisation).where(Organisation.active).order_by(Organisation.name))]
    if request.method == "GET" and request.args.get("organisation", type=int):
        form.organisations.data = [request.args.get("organisation", type=int)]
    candidates = preview = None
    if form.validate_on_submit():
        candidates = select_candidates(
            meeting, kind=form.kind.data, region=form.region.data,
            organisation_ids=form.organisations.data or None)
        if form.confirm.data and request.form.get("step") == "confirm":
            try:
                result = invite(meeting, candidates, send=form.send.data == "send")
            except InvitationError as error:
                flash(str(error), "danger")
            else:
                db.session.commit()
                if form.send.data == "send":
                    flash(_("%(invited)s invitation(s) sent; %(skipped)s organisation(s) "
                            "skipped.", invited=len(result.invited),
                            skipped=len(result.skipped)), "success")
                else:
                    flash(_("%(invited)s invitation(s) saved as drafts; %(skipped)s "
                            "organisation(s) skipped.", invited=len(result.invited),
                            skipped=len(result.skipped)), "success")
                for skipped in result.skipped:
                    flash(_("Skipped %(organisation)s: %(reason)s.",
                            organisation=skipped.organisation.display_name,
                            reason=skipped.skip_reason), "warning")
                return redirect(url_for("invitations.index", meeting_id=meeting.id))
        preview = _preview(meeting, candidates)
    return render_template("invitations/new.html", meeting=meeting, form=form,
                           candidates=candidates, preview=preview)


def _preview(meeting: Meeting, candidates) -> dict | None:
    """The message the first recipient would receive, with a placeholder link."""
    first = next((c for c in candidates if not c.skip_reason), None)
    if first is None:
        return None
    sample = Invitation(meeting=meeting, organisation=first.organisation, email=first.email)
    subject, text, _html = render_message(sample, "invitation",
                                          "https://…/i/" + _("(personal link)"))
    return {"to": first.email, "subject": subject, "text": text}


@bp.route("/<int:invitation_id>/edit", methods=["GET", "POST"])
@loads(meeting=Meeting, invitation=Invitation)
def edit(meeting: Meeting, invitation: Invitation):
    form = InvitationEditForm(obj=invitation)
    if form.validate_on_submit():
        update_invitation(invitation, email=form.email.data, cc=(form.cc.data or "").split(","),
                          quota_override=form.quota_override.data)
        db.session.commit()
        flash(_("Invitation saved."), "success")
        return redirect(url_for("invitations.index", meeting_id=meeting.id))
    return render_template("invitations/edit.html", meeting=meeting, invitation=invitation,
                           form=form, confirm=ConfirmForm())


@bp.route("/<int:invitation_id>/send", methods=["POST"])
@loads(meeting=Meeting, invitation=Invitation)
def send(meeting: Meeting, invitation: Invitation):
    """Send a draft, or send a sent invitation again with a new link."""
    if ConfirmForm().validate_on_submit():
        try:
            send_invitation(invitation)
        except InvitationError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Invitation to %(organisation)s queued for sending with a new link; "
                    "earlier links stop working.",
                    organisation=invitation.organisation.display_name), "success")
    return redirect(url_for("invitations.index", meeting_id=meeting.id))


@bp.route("/<int:invitation_id>/revoke", methods=["GET", "POST"])
@loads(meeting=Meeting, invitation=Invitation)
def revoke_view(meeting: Meeting, invitation: Invitation):
    form = ConfirmForm()
    if form.validate_on_submit():
        revoke(invitation)
        db.session.commit()
        flash(_("Invitation of %(organisation)s revoked: its link no longer works.",
                organisation=invitation.organisation.display_name), "success")
        return redirect(url_for("invitations.index", meeting_id=meeting.id))
    return render_template("invitations/confirm.html", meeting=meeting, form=form,
                           title=_("Revoke this invitation?"),
                           text=_("The link sent to %(email)s for %(organisation)s will stop "
                                  "working at once. This cannot be undone.",
                                  email=invitation.email,
                                  organisation=invitation.organisation.display_name),
                           button=_("Revoke the invitation"), danger=True)


@bp.route("/remind", methods=["GET", "POST"])
@loads(meeting=Meeting)
def remind(meeting: Meeting):
    form = ConfirmForm()
    waiting = counts_by_status(meeting)
    count = waiting.get(InvitationStatus.SENT, 0) + waiting.get(InvitationStatus.VIEWED, 0)
    if form.validate_on_submit():
        try:
            sent = remind_unanswered(meeting)
        except InvitationError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(ngettext("%(num)d reminder(s) queued for sending.",
                           "%(num)d reminder(s) queued for sending.", sent), "success")
        return redirect(url_for("invitations.index", meeting_id=meeting.id))
    return render_template("invitations/confirm.html", meeting=meeting, form=form,
                           title=_("Remind those who have not answered?"),
                           text=ngettext("%(num)d organisation(s) have not answered. Each will "
                                         "receive a reminder with a new personal link.",
                                         "%(num)d organisation(s) have not answered. Each will "
                                         "receive a reminder with a new personal link.", count),
                           button=ngettext("Send %(num)d reminder(s)", "Send %(num)d reminder(s)",
                                           count), danger=False)


@bp.route("/wording/<any(invitation, reminder):kind>", methods=["GET", "POST"])
@loads(meeting=Meeting)
def wording(kind: str, meeting: Meeting):
    here = url_for("invitations.wording", meeting_id=meeting.id, kind=kind)
    # Restoring the default must work even when the text being edited is invalid.
    if request.method == "POST" and request.form.get("reset"):
        if ConfirmForm().validate_on_submit():
            reset_wording(meeting, kind)
            db.session.commit()
            flash(_("Default wording restored."), "success")
        return redirect(here)
    subject, body = template_for(meeting, kind)
    form = TemplateForm(data={"subject": subject, "body": body})
    if form.validate_on_submit():
        if save_wording(meeting, kind, form.subject.data, form.body.data):
            flash(_("Wording saved."), "success")
        else:
            flash(_("This is the default wording: each organisation receives it in its own "
                    "language."), "success")
        db.session.commit()
        return redirect(here)
    return render_template("invitations/wording.html", meeting=meeting, form=form, kind=kind,
                           placeholders=PLACEHOLDERS, default=DEFAULTS[kind],
                           customised=is_customised(meeting, kind))
