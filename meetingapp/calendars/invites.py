"""Calendar invitations by e-mail: METHOD:REQUEST on approval and on changes, METHOD:CANCEL
when the meeting, an item or the delegate's place is cancelled. Same UIDs, higher SEQUENCE.
"""

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from ..agenda.publication import ChangeNotice
from ..extensions import db
from ..i18n import in_language
from ..mail.services import last_message_for, queue_message
from ..models import (
    Delegate,
    Meeting,
    MeetingStatus,
    OutboxAttachment,
    RegistrationStatus,
    utcnow,
)
from .services import agenda_items, calendar_file, delegate_calendar, public_link

REQUEST_TYPE = "text/calendar; method=REQUEST; charset=utf-8"
CANCEL_TYPE = "text/calendar; method=CANCEL; charset=utf-8"


def invitation(delegate: Delegate) -> tuple[str, str, bytes]:
    """The delegate's calendar as an invitation (METHOD:REQUEST, ORGANIZER, ATTENDEE)."""
    calendar = delegate_calendar(delegate, method="REQUEST", attendee=delegate, stamp=utcnow())
    return ("invite.ics", REQUEST_TYPE, calendar.content)


def cancellation(delegate: Delegate) -> tuple[str, str, bytes]:
    """Every event of the delegate's calendar cancelled (METHOD:CANCEL)."""
    calendar = delegate_calendar(delegate, method="CANCEL", attendee=delegate, stamp=utcnow(),
                                 cancelled=True)
    return ("cancel.ics", CANCEL_TYPE, calendar.content)


def approval_attachments(delegate: Delegate) -> list[tuple[str, str, bytes]]:
    """What the approval e-mail carries: the delegate's invitation."""
    return [invitation(delegate)]


def withdrawal_attachments(delegate: Delegate) -> list[tuple[str, str, bytes]]:
    """A cancellation, if the delegate was ever sent the invitation (approved before)."""
    if last_message_for(delegate, "registration_approved") is None:
        return []
    return [cancellation(delegate)]


def _approved(meeting: Meeting) -> list[Delegate]:
    return list(db.session.scalars(select(Delegate).where(
        Delegate.meeting_id == meeting.id, Delegate.status == RegistrationStatus.APPROVED)
        .order_by(Delegate.id)))


def _attach(message, attachment: tuple[str, str, bytes]) -> None:
    filename, mimetype, content = attachment
    message.attachments.append(OutboxAttachment(filename=filename, mimetype=mimetype,
                                                content=content))


def _speaks(speakers: list[dict], delegate: Delegate) -> bool:
    organisation_id = delegate.invitation.organisation_id
    return any(s.get("delegate_id") == delegate.id or s.get("organisation_id") == organisation_id
               for s in speakers)


def _speaker_moves(changes: list[dict], delegate: Delegate) -> tuple[set[int], set[int]]:
    """Items the delegate (or their organisation) now speaks at, and no longer speaks at."""
    joined, left = set(), set()
    for change in changes:
        if change["object"] != "item" or change["change"] != "speakers":
            continue
        values = change.get("values") or {}  # versions published before values were kept
        before = (values.get("before") or {}).get("speakers", [])
        after = (values.get("after") or {}).get("speakers", [])
        was, now = _speaks(before, delegate), _speaks(after, delegate)
        if now and not was:
            joined.add(change["id"])
        elif was and not now:
            left.add(change["id"])
    return joined, left


def on_change_notice(notice: ChangeNotice) -> None:
    """A republished agenda: the delegate's items that changed, as an update or cancellation.

    Their calendar holds the items where they or their organisation speak: an item they
    are added to arrives as a REQUEST, one they are taken off is CANCELled."""
    delegate = notice.delegate
    items, published_at = agenda_items(delegate.meeting, delegate)
    joined, left = _speaker_moves(notice.changes, delegate)
    changed = [i for i in items if i.id in notice.changed_item_ids and i.id not in joined]
    given = [i for i in items if i.id in joined and not i.cancelled]
    mine = {i.id for i in items}
    dropped = []
    if left - mine:
        everything, _published = agenda_items(delegate.meeting)
        dropped = [i for i in everything if i.id in left - mine]
    if not changed and not given and not dropped:
        return
    meeting, stamp = delegate.meeting, utcnow()
    live = [i for i in changed if not i.cancelled]
    gone = [i for i in changed if i.cancelled]
    if live:
        calendar = calendar_file([(meeting, live, published_at)], "update.ics",
                                 link_for=public_link, method="REQUEST", attendee=delegate,
                                 stamp=stamp, include_meeting=False)
        _attach(notice.message, ("update.ics", REQUEST_TYPE, calendar.content))
    if gone:
        calendar = calendar_file([(meeting, gone, published_at)], "cancel.ics",
                                 link_for=public_link, method="CANCEL", attendee=delegate,
                                 stamp=stamp, include_meeting=False)
        _attach(notice.message, ("cancel.ics", CANCEL_TYPE, calendar.content))
    if given:  # the item's SEQUENCE was raised at publication: above any CANCEL they had
        calendar = calendar_file([(meeting, given, published_at)], "now-speaking.ics",
                                 link_for=public_link, method="REQUEST", attendee=delegate,
                                 stamp=stamp, include_meeting=False)
        _attach(notice.message, ("now-speaking.ics", REQUEST_TYPE, calendar.content))
    if dropped:  # still on the programme, no longer theirs: cancelled for them only
        calendar = calendar_file([(meeting, dropped, published_at)], "no-longer-speaking.ics",
                                 link_for=public_link, method="CANCEL", attendee=delegate,
                                 stamp=stamp, include_meeting=False, cancelled=True,
                                 sequence_raised=True)
        _attach(notice.message, ("no-longer-speaking.ics", CANCEL_TYPE, calendar.content))
    db.session.flush()


def on_meeting_change(meeting: Meeting, changes: dict) -> None:
    """The meeting moved (time or place) or was cancelled: tell every approved delegate."""
    cancelled = meeting.status == MeetingStatus.CANCELLED and "status" in changes
    moved = bool(changes.keys() & {"starts_at", "ends_at", "timezone", "venue", "address"})
    if not (cancelled or moved) or meeting.status == MeetingStatus.DRAFT:
        return
    for delegate in _approved(meeting):
        template = "cancelled" if cancelled else "moved"
        with in_language(delegate.language):
            subject = (_("Cancelled: %(title)s", title=meeting.title) if cancelled
                       else _("Calendar update: %(title)s", title=meeting.title))
            text = render_template(f"calendars/email_{template}.txt", meeting=meeting,
                                   delegate=delegate)
            queue_message((delegate.display_name, delegate.email), subject, text, None,
                          meeting=meeting, category=f"calendar_{template}", related=delegate,
                          attachments=[cancellation(delegate) if cancelled
                                       else invitation(delegate)])




def on_agenda_published(version, notices: list[ChangeNotice]) -> None:
    """``hooks.agenda_published``: each delegate's calendar changes, in their language."""
    for notice in notices:
        with in_language(notice.delegate.language):
            on_change_notice(notice)


def on_meeting_changed(meeting: Meeting, changes: dict) -> None:
    """``hooks.meeting_changed``: see ``on_meeting_change``."""
    on_meeting_change(meeting, changes)


def email_attachments(delegate: Delegate, kind: str) -> list[tuple[str, str, bytes]]:
    """``hooks.delegate_email_attachments``: the invitation on approval, else its cancellation."""
    if kind == "approved":
        return approval_attachments(delegate)
    return withdrawal_attachments(delegate)
