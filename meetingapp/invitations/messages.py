"""The wording of invitation and reminder e-mails: per-meeting templates with placeholders."""

import re
from collections.abc import Mapping

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..i18n import in_language
from ..models.invitation import Invitation, MessageTemplate
from ..timezones import format_local

PLACEHOLDERS = {
    "organisation": _l("the organisation's full name"),
    "acronym": _l("the organisation's acronym"),
    "contact": _l("the focal point's name with form of address"),
    "meeting": _l("the meeting's title"),
    "dates": _l("start and end, in the meeting's time zone"),
    "venue": _l("venue and address"),
    "deadline": _l("the registration deadline, in the meeting's time zone"),
    "quota": _l("the number of delegates the organisation may register"),
    "link": _l("the personal link (required)"),
    "secretariat": _l("the secretariat's name and e-mail"),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

# The default wording, one paragraph a message so that each can be translated. The
# {placeholders} stay as they are in every language (translators keep them). A meeting
# without wording of its own sends this default in each organisation's correspondence
# language; wording that staff save is the meeting's own and is sent as written.
# Translators: keep every {placeholder} exactly as it is (in braces, in English).
_DEFAULT_PARTS = {
    "invitation": (
        _l("Invitation: {meeting}"),
        (
            _l("Dear {contact},"),
            _l("On behalf of the Committee, the secretariat has the honour to invite "
               "{organisation} to the {meeting}."),
            _l("When: {dates}\nWhere: {venue}"),
            _l("Please let us know whether {organisation} will attend, and register its "
               "delegation (up to {quota} delegates), by {deadline}, through this personal "
               "link:"),
            "{link}",
            _l("The link is personal to {organisation}: please do not forward it outside "
               "your organisation."),
            _l("With kind regards,\n{secretariat}"),
        ),
    ),
    "reminder": (
        _l("Reminder: invitation to the {meeting}"),
        (
            _l("Dear {contact},"),
            _l("The secretariat has not yet received the answer of {organisation} to the "
               "invitation to the {meeting} ({dates}, {venue})."),
            _l("Please answer by {deadline} through this personal link:"),
            "{link}",
            _l("This link replaces the one in earlier messages."),
            _l("With kind regards,\n{secretariat}"),
        ),
    ),
}
KINDS = tuple(_DEFAULT_PARTS)


def _join(kind: str) -> tuple[str, str]:
    subject, paragraphs = _DEFAULT_PARTS[kind]
    return str(subject), "\n\n".join(str(p) for p in paragraphs) + "\n"


def default_wording(kind: str) -> tuple[str, str]:
    """The default subject and body of ``kind`` in the current language.

    A translation that lost ``{link}`` or spells a placeholder wrongly would send
    a broken e-mail: the English wording is used instead.
    """
    subject, body = _join(kind)
    if (unknown_placeholders(subject + body) or "{link}" not in body):
        with force_locale("en"):
            return _join(kind)
    return subject, body


class _Defaults(Mapping):
    """``DEFAULTS[kind]``: the default (subject, body), in the current language."""

    def __getitem__(self, kind: str) -> tuple[str, str]:
        if kind not in _DEFAULT_PARTS:
            raise KeyError(kind)
        return default_wording(kind)

    def __iter__(self):
        return iter(_DEFAULT_PARTS)

    def __len__(self) -> int:
        return len(_DEFAULT_PARTS)


DEFAULTS = _Defaults()


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in ``text`` that we do not know how to fill."""
    return sorted({m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS})


def fill(text: str, values: dict) -> str:
    """Replace ``{name}`` placeholders; anything else is left exactly as written."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def _row(meeting, kind: str) -> MessageTemplate | None:
    return db.session.scalar(select(MessageTemplate).where(
        MessageTemplate.meeting_id == meeting.id, MessageTemplate.kind == kind))


def save_wording(meeting, kind: str, subject: str, body: str) -> bool:
    """Store the meeting's own wording of ``kind`` (flush, audited); False if it is the default.

    Line ends are normalised: browsers send CRLF, and paragraphs are split on
    blank lines. Wording identical to the default as the page showed it (in the
    page's language) is not stored: the meeting keeps the default, which each
    organisation receives in its own language.
    """
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if _same_text((subject, body), default_wording(kind)):
        reset_wording(meeting, kind)
        return False
    row = _row(meeting, kind)
    if row is None:
        db.session.add(MessageTemplate(meeting_id=meeting.id, kind=kind, subject=subject,
                                       body=body))
    else:
        row.subject, row.body = subject, body
    db.session.flush()
    record("edit_wording", meeting, meeting=meeting, label=f"{kind} e-mail wording")
    return True


def _same_text(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Equal but for whitespace at the ends (a text area adds or drops a final newline)."""
    return all(x.strip() == y.strip() for x, y in zip(a, b, strict=True))


def reset_wording(meeting, kind: str) -> None:
    """Go back to the default wording of ``kind`` (flush, audited)."""
    row = _row(meeting, kind)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        record("reset_wording", meeting, meeting=meeting, label=f"{kind} e-mail wording")


def is_customised(meeting, kind: str) -> bool:
    """Whether the meeting has its own wording of ``kind`` (else the translated default)."""
    return _row(meeting, kind) is not None


def template_for(meeting, kind: str) -> tuple[str, str]:
    """The meeting's own subject and body for ``kind``, exactly as staff wrote them,
    or else the default wording in the current language."""
    row = _row(meeting, kind)
    if row is not None:
        return row.subject, row.body
    return default_wording(kind)


def values_for(invitation: Invitation, link: str) -> dict:
    """The placeholder values of one invitation, in the current language."""
    meeting, org = invitation.meeting, invitation.organisation
    focal = org.focal_point
    config = current_app.config
    venue = ", ".join(part for part in (meeting.venue, meeting.address) if part)
    return {
        "organisation": org.name,
        "acronym": org.acronym or org.name,
        "contact": focal.display_name if focal else _("colleagues of %(organisation)s",
                                                      organisation=org.name),
        "meeting": meeting.title,
        "dates": _("%(start)s to %(end)s",
                   start=format_local(meeting.starts_at, meeting.timezone),
                   end=format_local(meeting.ends_at, meeting.timezone)),
        "venue": venue,
        "deadline": format_local(meeting.registration_closes_at, meeting.timezone),
        "quota": invitation.quota,
        "link": link,
        "secretariat": f"{config['SECRETARIAT_NAME']} <{config['SECRETARIAT_EMAIL']}>",
    }


def render_message(invitation: Invitation, kind: str, link: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an invitation or reminder e-mail.

    Written in the organisation's correspondence language: the default wording
    translated, dates and the house layout in that language. Wording of the
    meeting's own (customised by staff) is sent as written, placeholders filled.

    Staff write plain text: the HTML part is the same text escaped (names and
    anything typed included), paragraphs kept and web links clickable, in the
    house e-mail layout.
    """
    with in_language(invitation.organisation.language):
        subject_tpl, body_tpl = template_for(invitation.meeting, kind)
        values = values_for(invitation, link)
        subject = " ".join(fill(subject_tpl, values).split())[:300]
        text = fill(body_tpl, values)
        html = render_template("emails/invitation.html", subject=subject, body=text)
    return subject, text, html
