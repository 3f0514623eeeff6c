"""Mail operations: queue a message in the caller's transaction, render templates,
retry, and look up what happened to the mail about an object.

Like every service these add and flush; the view (or CLI command) commits,
and delivery happens after that commit (see ``dispatch``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any, cast

from flask import current_app, render_template
from flask_babel import gettext as _
from jinja2 import TemplateNotFound
from sqlalchemy import CursorResult, func, select, update

from ..audit.services import apply_changes, record
from ..extensions import db
from ..models import OUTBOX_STATUSES, Meeting, OutboxAttachment, OutboxMessage, OutboxStatus, utcnow
from ..models.mail import OUTBOX_STATUS_LABELS
from .delivery import DeliveryReport, deliver_due
from .dispatch import deliver_soon, note_queued
from .messages import (
    AddressError,
    default_sender,
    domain_of,
    format_addresses,
    html_from_text,
    one_line,
)

__all__ = [
    "AddressError",
    "DeliveryReport",
    "MailError",
    "RenderedEmail",
    "deliver_due",
    "deliver_soon",
    "last_message_for",
    "last_messages_for",
    "queue_email",
    "queue_message",
    "render_email",
    "requeue_failed",
    "retry_message",
    "status_counts",
]


class MailError(ValueError):
    """A mail operation that cannot be done; the message says why."""


@dataclass(frozen=True)
class RenderedEmail:
    """The two bodies of a message rendered from ``templates/emails/<name>``."""

    text: str
    html: str


def new_message_id(config) -> str:
    """A fresh Message-ID in MAIL_MESSAGE_ID_DOMAIN (default: the sender's domain)."""
    domain = (config.get("MAIL_MESSAGE_ID_DOMAIN") or domain_of(default_sender(config))
              or "localhost")
    return make_msgid(domain=domain)


def _related(related) -> tuple[str | None, int | None]:
    if related is None:
        return None, None
    if isinstance(related, tuple):
        kind, ident = related
        return str(kind), int(ident)
    if related.id is None:
        db.session.flush()
    return related.__tablename__, related.id


def queue_message(
    to,
    subject: str,
    text: str,
    html: str | None,
    *,
    cc=(),
    meeting: Meeting | int | None = None,
    category: str = "",
    related=None,
    reply_to=None,
    attachments=(),
) -> OutboxMessage:
    """Write a message to the outbox in the current transaction (flushes, never commits).

    ``to``, ``cc`` and ``reply_to`` take ``"a@b"``, ``"Name <a@b>"``,
    ``(name, address)`` or a list of these. ``html`` may be None: an HTML part
    is then made from the text. ``related`` is a model instance or a
    ``(type, id)`` pair, for ``last_message_for``. Raises ``AddressError``
    for an unusable address. ``attachments`` is a list of
    ``(filename, mimetype, bytes)``. Delivered after the caller commits.
    """
    to_header = format_addresses(to)
    if not to_header:
        raise AddressError(_("A message needs at least one recipient."))
    subject = one_line(subject)
    related_type, related_id = _related(related)
    message = OutboxMessage(
        message_id=new_message_id(current_app.config),
        to_addrs=to_header,
        cc_addrs=format_addresses(cc),
        reply_to=format_addresses(reply_to),
        subject=subject,
        body_text=text or "",
        body_html=html if html else html_from_text(text, subject),
        status=OutboxStatus.QUEUED,
        attempts=0,
        last_error="",
        next_attempt_at=utcnow(),
        category=(category or "")[:50],
        related_type=related_type,
        related_id=related_id,
    )
    if isinstance(meeting, Meeting):
        message.meeting = meeting
    elif meeting is not None:
        message.meeting_id = int(meeting)
    for filename, mimetype, content in attachments or ():
        message.attachments.append(OutboxAttachment(
            filename=filename, mimetype=mimetype, content=bytes(content)))
    db.session.add(message)
    db.session.flush()
    note_queued(db.session())
    return message


def render_email(name: str, **context) -> RenderedEmail:
    """Render ``templates/emails/<name>.txt`` and ``.html`` (escaped); no .html: made from text."""
    text = render_template(f"emails/{name}.txt", **context)
    try:
        html = render_template(f"emails/{name}.html", **context)
    except TemplateNotFound:
        html = html_from_text(text, context.get("subject", ""))
    return RenderedEmail(text=text, html=html)


def queue_email(template: str, to, subject: str, *, context: dict | None = None,
                **options) -> OutboxMessage:
    """Render ``template`` with ``context`` and ``subject``, then ``queue_message`` it."""
    rendered = render_email(template, subject=subject, **(context or {}))
    return queue_message(to, subject, rendered.text, rendered.html, **options)


def retry_message(message: OutboxMessage, *, actor: str | None = None) -> dict:
    """Make a queued or failed message due now (a failed one gets its attempts back); audited."""
    if not message.can_retry:
        raise MailError(_("A message that is %(status)s cannot be retried.",
                          status=str(OUTBOX_STATUS_LABELS[message.status]).lower()))
    values = {"status": OutboxStatus.QUEUED, "next_attempt_at": utcnow()}
    if message.status == OutboxStatus.FAILED:
        values["attempts"] = 0
    changes = apply_changes(message, values)
    record("retry", message, meeting=message.meeting, changes=changes, actor=actor)
    note_queued(db.session())
    return changes


def requeue_failed(meeting_id: int | None = None, *, actor: str | None = None) -> int:
    """Retry every failed message (of one meeting, if given); returns how many."""
    query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if meeting_id:
        query = query.where(OutboxMessage.meeting_id == meeting_id)
    messages = db.session.scalars(query.order_by(OutboxMessage.id)).all()
    for message in messages:
        retry_message(message, actor=actor)
    return len(messages)


def send_waiting_now(meeting_id: int | None = None, *, actor: str | None = None) -> int:
    """Make every queued message that waits for a later try due now; audited; returns how many."""
    now = utcnow()
    conditions = [OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at > now]
    if meeting_id:
        conditions.append(OutboxMessage.meeting_id == meeting_id)
    # An UPDATE's result is a CursorResult: it has the count of rows changed.
    count = cast(CursorResult[Any], db.session.execute(
        update(OutboxMessage).where(*conditions).values(next_attempt_at=now)
        .execution_options(synchronize_session=False))).rowcount
    if count:
        record("send_waiting_now", object_type="outbox_messages", label=f"{count} waiting",
               changes={"messages": count, "meeting_id": meeting_id}, actor=actor)
    note_queued(db.session())
    return count


def status_counts(meeting_id: int | None = None) -> dict[str, int]:
    """How many messages are in each status (of one meeting, if given)."""
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if meeting_id:
        query = query.where(OutboxMessage.meeting_id == meeting_id)
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    counts.update({status: count for status, count in db.session.execute(query)})
    return counts


def last_messages_for(related_type: str, ids: Iterable[int],
                      category: str | None = None) -> dict[int, OutboxMessage]:
    """The newest message about each of ``ids`` (e.g. invitations on one page), one query."""
    ids = list(ids)
    if not ids:
        return {}
    query = select(OutboxMessage).where(OutboxMessage.related_type == related_type,
                                        OutboxMessage.related_id.in_(ids))
    if category:
        query = query.where(OutboxMessage.category == category)
    newest: dict[int, OutboxMessage] = {}
    for message in db.session.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    ):
        if message.related_id is not None:  # always: the query asks for these ids
            newest.setdefault(message.related_id, message)
    return newest


def last_message_for(obj, category: str | None = None) -> OutboxMessage | None:
    """The newest message about ``obj`` (a model instance), or None."""
    return last_messages_for(obj.__tablename__, [obj.id], category).get(obj.id)
