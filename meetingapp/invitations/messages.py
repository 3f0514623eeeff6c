"""The wording of invitation and reminder e-mails: per-meeting templates with placeholders."""

import re

from flask import current_app, render_template
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..models.invitation import Invitation, MessageTemplate
from ..timezones import format_local

PLACEHOLDERS = {
    "organisation": "the organisation's full name",
    "acronym": "the organisation's acronym",
    "contact": "the focal point's name with form of address",
    "meeting": "the meeting's title",
    "dates": "start and end, in the meeting's time zone",
    "venue": "venue and address",
    "deadline": "the registration deadline, in the meeting's time zone",
    "quota": "the number of delegates the organisation may register",
    "link": "the personal link (required)",
    "secretariat": "the secretariat's name and e-mail",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

DEFAULTS = {
    "invitation": (
        "Invitation: {meeting}",
        """Dear {contact},

On behalf of the Committee, the secretariat has the honour to invite {organisation} \
to the {meeting}.

When: {dates}
Where: {venue}

Please let us know whether {organisation} will attend, and register its delegation \
(up to {quota} delegates), by {deadline}, through this personal link:

{link}

The link is personal to {organisation}: please do not forward it outside your organisation.

With kind regards,
{secretariat}
""",
    ),
    "reminder": (
        "Reminder: invitation to the {meeting}",
        """Dear {contact},

The secretariat has not yet received the answer of {organisation} to the invitation \
to the {meeting} ({dates}, {venue}).

Please answer by {deadline} through this personal link:

{link}

This link replaces the one in earlier messages.

With kind regards,
{secretariat}
""",
    ),
}


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in ``text`` that we do not know how to fill."""
    return sorted({m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS})


def fill(text: str, values: dict) -> str:
    """Replace ``{name}`` placeholders; anything else is left exactly as written."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def _row(meeting, kind: str) -> MessageTemplate | None:
    return db.session.scalar(select(MessageTemplate).where(
        MessageTemplate.meeting_id == meeting.id, MessageTemplate.kind == kind))


def save_wording(meeting, kind: str, subject: str, body: str) -> None:
    """Store the meeting's own wording of ``kind`` (flush, audited).

    Line ends are normalised: browsers send CRLF, and paragraphs are split on
    blank lines.
    """
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    row = _row(meeting, kind)
    if row is None:
        db.session.add(MessageTemplate(meeting_id=meeting.id, kind=kind, subject=subject,
                                       body=body))
    else:
        row.subject, row.body = subject, body
    db.session.flush()
    record("edit_wording", meeting, meeting=meeting, label=f"{kind} e-mail wording")


def reset_wording(meeting, kind: str) -> None:
    """Go back to the default wording of ``kind`` (flush, audited)."""
    row = _row(meeting, kind)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        record("reset_wording", meeting, meeting=meeting, label=f"{kind} e-mail wording")


def template_for(meeting, kind: str) -> tuple[str, str]:
    """The meeting's subject and body for ``kind``, or the default wording."""
    row = _row(meeting, kind)
    if row is not None:
        return row.subject, row.body
    return DEFAULTS[kind]


def values_for(invitation: Invitation, link: str) -> dict:
    """The placeholder values of one invitation."""
    meeting, org = invitation.meeting, invitation.organisation
    focal = org.focal_point
    config = current_app.config
    venue = ", ".join(part for part in (meeting.venue, meeting.address) if part)
    return {
        "organisation": org.name,
        "acronym": org.acronym or org.name,
        "contact": focal.display_name if focal else f"colleagues of {org.name}",
        "meeting": meeting.title,
        "dates": f"{format_local(meeting.starts_at, meeting.timezone)} to "
                 f"{format_local(meeting.ends_at, meeting.timezone)}",
        "venue": venue,
        "deadline": format_local(meeting.registration_closes_at, meeting.timezone),
        "quota": invitation.quota,
        "link": link,
        "secretariat": f"{config['SECRETARIAT_NAME']} <{config['SECRETARIAT_EMAIL']}>",
    }


def render_message(invitation: Invitation, kind: str, link: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an invitation or reminder e-mail.

    Staff write plain text: the HTML part is the same text escaped (names and
    anything typed included), paragraphs kept and web links clickable, in the
    house e-mail layout.
    """
    subject_tpl, body_tpl = template_for(invitation.meeting, kind)
    values = values_for(invitation, link)
    subject = " ".join(fill(subject_tpl, values).split())[:300]
    text = fill(body_tpl, values)
    return subject, text, render_template("emails/invitation.html", subject=subject, body=text)
