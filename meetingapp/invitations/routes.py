import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..auth.access import STAFF_ROLES, restrict_blueprint
from ..extensions import db
from ..formtools import ConfirmForm
from ..mail.services import last_messages_for
from ..models import Meeting, Organisation
from ..models.invitation import INVITATION_STATUSES, Invitation
from ..models.organisation import ORGANISATION_KINDS
from ..text import spreadsheet_safe
from . import bp
from .forms import InvitationEditForm, SelectionForm, TemplateForm
from .messages import (
    DEFAULTS,
    PLACEHOLDERS,
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

restrict_blueprint(bp, *STAFF_ROLES)


def _meeting(meeting_id: int) -> Meeting:
    return db.get_or_404(Meeting, meeting_id)


def _invitation(meeting: Meeting, invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    if invitation.meeting_id != meeting.id:
        abort(404)
    return invitation


@bp.route("/")
def index(meeting_id: int):
    meeting = _meeting(meeting_id)
    filters = {k: request.args.get(k, "").strip() for k in ("status", "kind", "q")}
    page = db.paginate(filtered_invitations(meeting, **filters), error_out=False)
    return render_template(
        "invitations/index.html", meeting=meeting, page=page, filters=filters,
        by_status=counts_by_status(meeting), by_kind=counts_by_kind(meeting),
        statuses=INVITATION_STATUSES, kinds=ORGANISATION_KINDS,
        messages=last_messages_for("invitations", [inv.id for inv in page.items]),
        confirm=ConfirmForm())


@bp.route("/export.csv")
def export_csv(meeting_id: int):
    meeting = _meeting(meeting_id)
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
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/new", methods=["GET", "POST"])
def new(meeting_id: int):
    """Choose organisations, preview who receives what, then send."""
    meeting = _meeting(meeting_id)
    form = SelectionForm()
    regions = db.session.scalars(select(Organisation.region).where(
        Organisation.active, Organisation.region != "").distinct().order_by(
        Organisation.region)).all()
    form.region.choices = [("", "Any region")] + [(r, r) for r in regions]
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
                verb = "sent" if form.send.data == "send" else "saved as drafts"
                flash(f"{len(result.invited)} invitation(s) {verb}; "
                      f"{len(result.skipped)} organisation(s) skipped.", "success")
                for skipped in result.skipped:
                    flash(f"Skipped {skipped.organisation.display_name}: "
                          f"{skipped.skip_reason}.", "warning")
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
    subject, text, _ = render_message(sample, "invitation", "https://…/i/(personal link)")
    return {"to": first.email, "subject": subject, "text": text}


@bp.route("/<int:invitation_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int, invitation_id: int):
    meeting = _meeting(meeting_id)
    invitation = _invitation(meeting, invitation_id)
    form = InvitationEditForm(obj=invitation)
    if form.validate_on_submit():
        update_invitation(invitation, email=form.email.data, cc=(form.cc.data or "").split(","),
                          quota_override=form.quota_override.data)
        db.session.commit()
        flash("Invitation saved.", "success")
        return redirect(url_for("invitations.index", meeting_id=meeting.id))
    return render_template("invitations/edit.html", meeting=meeting, invitation=invitation,
                           form=form, confirm=ConfirmForm())


@bp.route("/<int:invitation_id>/send", methods=["POST"])
def send(meeting_id: int, invitation_id: int):
    """Send a draft, or send a sent invitation again with a new link."""
    meeting = _meeting(meeting_id)
    invitation = _invitation(meeting, invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            send_invitation(invitation)
        except InvitationError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(f"Invitation to {invitation.organisation.display_name} queued for sending "
                  "with a new link; earlier links stop working.", "success")
    return redirect(url_for("invitations.index", meeting_id=meeting.id))


@bp.route("/<int:invitation_id>/revoke", methods=["GET", "POST"])
def revoke_view(meeting_id: int, invitation_id: int):
    meeting = _meeting(meeting_id)
    invitation = _invitation(meeting, invitation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        revoke(invitation)
        db.session.commit()
        flash(f"Invitation of {invitation.organisation.display_name} revoked: "
              "its link no longer works.", "success")
        return redirect(url_for("invitations.index", meeting_id=meeting.id))
    return render_template("invitations/confirm.html", meeting=meeting, form=form,
                           title="Revoke this invitation?",
                           text=f"The link sent to {invitation.email} for "
                                f"{invitation.organisation.display_name} will stop working "
                                "at once. This cannot be undone.",
                           button="Revoke the invitation", danger=True)


@bp.route("/remind", methods=["GET", "POST"])
def remind(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = ConfirmForm()
    waiting = counts_by_status(meeting)
    count = waiting.get("sent", 0) + waiting.get("viewed", 0)
    if form.validate_on_submit():
        try:
            sent = remind_unanswered(meeting)
        except InvitationError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(f"{sent} reminder(s) queued for sending.", "success")
        return redirect(url_for("invitations.index", meeting_id=meeting.id))
    return render_template("invitations/confirm.html", meeting=meeting, form=form,
                           title="Remind those who have not answered?",
                           text=f"{count} organisation(s) have not answered. Each will receive "
                                "a reminder with a new personal link.",
                           button=f"Send {count} reminder(s)", danger=False)


@bp.route("/wording/<any(invitation, reminder):kind>", methods=["GET", "POST"])
def wording(meeting_id: int, kind: str):
    meeting = _meeting(meeting_id)
    here = url_for("invitations.wording", meeting_id=meeting.id, kind=kind)
    # Restoring the default must work even when the text being edited is invalid.
    if request.method == "POST" and request.form.get("reset"):
        if ConfirmForm().validate_on_submit():
            reset_wording(meeting, kind)
            db.session.commit()
            flash("Default wording restored.", "success")
        return redirect(here)
    subject, body = template_for(meeting, kind)
    form = TemplateForm(data={"subject": subject, "body": body})
    if form.validate_on_submit():
        save_wording(meeting, kind, form.subject.data, form.body.data)
        db.session.commit()
        flash("Wording saved.", "success")
        return redirect(here)
    return render_template("invitations/wording.html", meeting=meeting, form=form, kind=kind,
                           placeholders=PLACEHOLDERS, default=DEFAULTS[kind])
