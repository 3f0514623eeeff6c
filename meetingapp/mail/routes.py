from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import STAFF_ROLES, restrict_blueprint
from ..exports import download as send_download
from ..extensions import db
from ..loading import loads
from ..models import OUTBOX_STATUSES, Meeting, OutboxMessage
from ..models.mail import OUTBOX_STATUS_LABELS
from ..request_log import redact
from .forms import RetryForm, SendWaitingForm
from .messages import build_email, default_sender, slugify
from .services import MailError, retry_message, send_waiting_now, status_counts

bp = Blueprint("mail", __name__, url_prefix="/mail")

restrict_blueprint(bp, *STAFF_ROLES)


def _filters() -> dict:
    status = request.args.get("status", "")
    return {
        "meeting": request.args.get("meeting", type=int),
        "status": status if status in OUTBOX_STATUSES else "",
        "category": request.args.get("category", "").strip(),
        "q": request.args.get("q", "").strip(),
    }


@bp.route("/")
def index():
    """The outbox, newest first, filtered by meeting, status, category and text."""
    filters = _filters()
    query = (select(OutboxMessage).options(selectinload(OutboxMessage.meeting))
             .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()))
    if filters["meeting"]:
        query = query.where(OutboxMessage.meeting_id == filters["meeting"])
    if filters["status"]:
        query = query.where(OutboxMessage.status == filters["status"])
    if filters["category"]:
        query = query.where(OutboxMessage.category == filters["category"])
    if filters["q"]:
        pattern = "%" + filters["q"].replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        query = query.where(OutboxMessage.to_addrs.ilike(pattern, escape="\\")
                            | OutboxMessage.subject.ilike(pattern, escape="\\"))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    categories = db.session.scalars(
        select(OutboxMessage.category).distinct().order_by(OutboxMessage.category)).all()
    return render_template(
        "mail/index.html",
        page=page,
        filters=filters,
        # The other filters, kept by the status links.
        keep={k: v for k, v in filters.items() if v and k != "status"},
        counts=status_counts(filters["meeting"]),
        meetings=db.session.scalars(select(Meeting).order_by(Meeting.starts_at.desc())).all(),
        categories=[c for c in categories if c],
        status_labels=OUTBOX_STATUS_LABELS,
        retry_form=RetryForm(),
        send_waiting_form=SendWaitingForm(),
    )


@bp.route("/send-waiting", methods=["POST"])
def send_waiting():
    """Try every message that waits for a later attempt now (after an outage)."""
    form = SendWaitingForm()
    meeting_id = None
    if form.validate_on_submit():
        raw = (form.meeting.data or "").strip()
        meeting_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        count = send_waiting_now(meeting_id)
        db.session.commit()
        flash(_("Waiting messages sent now: %(count)d.", count=count)
              if count else _("No message is waiting for a later try."), "success")
    return redirect(url_for("mail.index", meeting=meeting_id))


@bp.route("/<int:message_id>")
@loads(message=OutboxMessage)
def detail(message: OutboxMessage):
    """One message: its headers, delivery history and plain-text part."""
    return render_template("mail/detail.html", message=message,
                           body_text=redact(message.body_text),
                           status_labels=OUTBOX_STATUS_LABELS, retry_form=RetryForm(),
                           sender=default_sender(current_app.config))


@bp.route("/<int:message_id>/message.eml")
@loads(message=OutboxMessage)
def download(message: OutboxMessage):
    """The message as an .eml file, as it is (or would be) sent."""
    email = build_email(message, default_sender(current_app.config))
    # Staff see the message, not the personal links in it: those are the
    # recipient's alone (a queued message keeps them only to be sent).
    for part in email.walk():
        if part.get_content_type() in ("text/plain", "text/html") and \
                not part.is_attachment():
            part.set_content(redact(part.get_content()), subtype=part.get_content_subtype())
    filename = f"outbox-{message.id}-{slugify(message.subject)}.eml"
    return send_download(email.as_bytes(), "message/rfc822", filename)


def _back(target: str | None, message: OutboxMessage) -> str:
    # Only back into the outbox pages: never an address given by someone else.
    prefix = url_for("mail.index")
    if target and target.startswith(prefix) and "\\" not in target:
        return target
    return url_for("mail.detail", message_id=message.id)


@bp.route("/<int:message_id>/retry", methods=["POST"])
@loads(message=OutboxMessage)
def retry(message: OutboxMessage):
    """Queue a failed or waiting message again, due now."""
    form = RetryForm()
    if form.validate_on_submit():
        try:
            retry_message(message)
        except MailError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("The message “%(subject)s” to %(recipients)s is queued again.",
                    subject=message.subject, recipients=message.to_addrs), "success")
    return redirect(_back(form.next.data, message))
