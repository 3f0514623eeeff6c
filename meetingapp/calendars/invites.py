"""Calendar invitations by e-mail (iMIP, RFC 6047): METHOD:REQUEST on approval and on changes,
METHOD:CANCEL when the meeting, an item or the delegate's place is cancelled. Same UIDs,
higher SEQUENCE.

Each e-mail carries one iTIP object about one UID (as calendar programs expect): the
meeting's goes with the e-mail about the registration or the meeting, and each agenda item
of the delegate's calendar arrives in an e-mail of its own. The URL of the events is the
delegate's page when the e-mail carries their personal link, else there is none.
"""

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from ..agenda.publication import ChangeNotice
from ..extensions import db
from ..i18n import in_language
from ..mail.services import last_message_for, queue_message
from ..models import Delegate, Meeting, MeetingStatus, RegistrationStatus, utcnow
from .services import agenda_items, calendar_file

REQUEST_TYPE = "text/calendar; method=REQUEST; charset=utf-8"
CANCEL_TYPE = "text/calendar; method=CANCEL; charset=utf-8"


def _meeting_itip(delegate: Delegate, method: str, link: str = "",
                  cancelled: bool = False) -> tuple[str, str, bytes]:
    """The meeting alone (one UID) as an iTIP object for the delegate."""
    meeting = delegate.meeting
    calendar = calendar_file([(meeting, [], None)], "invite.ics", link_for=lambda _m: link,
                             method=method, attendee=delegate, stamp=utcnow(),
                             cancelled=cancelled)
    filename = "cancel.ics" if method == "CANCEL" else "invite.ics"
    return (filename, CANCEL_TYPE if method == "CANCEL" else REQUEST_TYPE, calendar.content)


def invitation(delegate: Delegate, link: str = "") -> tuple[str, str, bytes]:
    """The delegate's invitation to the meeting (METHOD:REQUEST, ORGANIZER, ATTENDEE)."""
    return _meeting_itip(delegate, "REQUEST", link)


def cancellation(delegate: Delegate) -> tuple[str, str, bytes]:
    """The meeting cancelled for the delegate (METHOD:CANCEL)."""
    return _meeting_itip(delegate, "CANCEL", cancelled=True)


ITEM_SUBJECTS = {
    "invitation": lambda title: _("Calendar invitation: %(title)s", title=title),
    "update": lambda title: _("Calendar update: %(title)s", title=title),
    "cancelled": lambda title: _("Cancelled: %(title)s", title=title),
}
ITEM_FILES = {"invitation": "invite.ics", "update": "update.ics", "cancelled": "cancel.ics"}


def send_item(delegate: Delegate, item, published_at, kind: str, *, link: str = "",
              cancelled: bool = False, sequence_raised: bool = False) -> None:
    """One agenda item of the delegate's calendar, in an e-mail of its own: ``kind`` is
    "invitation", "update" (REQUEST) or "cancelled" (CANCEL)."""
    meeting, method = delegate.meeting, "CANCEL" if kind == "cancelled" else "REQUEST"
    calendar = calendar_file([(meeting, [item], published_at)], ITEM_FILES[kind],
                             link_for=lambda _m: link, method=method, attendee=delegate,
                             stamp=utcnow(), include_meeting=False, cancelled=cancelled,
                             sequence_raised=sequence_raised)
    with in_language(delegate.language):
        text = render_template("calendars/email_item.txt", meeting=meeting, item=item,
                               delegate=delegate, kind=kind, link=link)
        queue_message((delegate.display_name, delegate.email),
                      ITEM_SUBJECTS[kind](item.title), text, None, meeting=meeting,
                      category=f"calendar_item_{kind}", related=delegate,
                      attachments=[(ITEM_FILES[kind], CANCEL_TYPE if method == "CANCEL"
                                    else REQUEST_TYPE, calendar.content)])


def approval_attachments(delegate: Delegate, link: str = "") -> list[tuple[str, str, bytes]]:
    """The approval e-mail carries the meeting's invitation; each item of the delegate's
    calendar is sent in an e-mail of its own."""
    items, published_at = agenda_items(delegate.meeting, delegate)
    for item in items:
        send_item(delegate, item, published_at, "invitation", link=link)
    return [invitation(delegate, link)]


def withdrawal_attachments(delegate: Delegate) -> list[tuple[str, str, bytes]]:
    """A cancellation, if the delegate was ever sent the invitation (approved before); the
    items of their calendar cancelled each in an e-mail of its own."""
    if last_message_for(delegate, "registration_approved") is None:
        return []
    items, published_at = agenda_items(delegate.meeting, delegate)
    for item in items:
        send_item(delegate, item, published_at, "cancelled", cancelled=True)
    return [cancellation(delegate)]


def _approved(meeting: Meeting) -> list[Delegate]:
    return list(db.session.scalars(select(Delegate).where(
        Delegate.meeting_id == meeting.id, Delegate.status == RegistrationStatus.APPROVED)
        .order_by(Delegate.id)))


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
    """A republished agenda: the delegate's items that changed, each as an update or a
    cancellation in an e-mail of its own (the notice itself tells what changed).

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
    for item in changed:
        send_item(delegate, item, published_at, "cancelled" if item.cancelled else "update")
    for item in given:  # the item's SEQUENCE was raised at publication: above any CANCEL
        send_item(delegate, item, published_at, "invitation")
    for item in dropped:  # still on the programme, no longer theirs: cancelled for them only
        send_item(delegate, item, published_at, "cancelled", cancelled=True,
                  sequence_raised=True)
    db.session.flush()


def on_meeting_change(meeting: Meeting, changes: dict) -> None:
    """The meeting moved (time or place) or was cancelled: tell every approved delegate."""
    cancelled = meeting.status == MeetingStatus.CANCELLED and "status" in changes
    moved = bool(changes.keys() & {"starts_at", "ends_at", "timezone", "venue", "address"})
    if not (cancelled or moved) or meeting.status == MeetingStatus.DRAFT:
        return
    for delegate in _approved(meeting):
        template = "cancelled" if cancelled else "moved"
        if cancelled:  # the items of their calendar go with the meeting, each on its own
            items, published_at = agenda_items(meeting, delegate)
            for item in items:
                send_item(delegate, item, published_at, "cancelled", cancelled=True)
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


def email_attachments(delegate: Delegate, kind: str,
                      link: str | None = None) -> list[tuple[str, str, bytes]]:
    """``hooks.delegate_email_attachments``: the invitation on approval, else its cancellation."""
    if kind == "approved":
        return approval_attachments(delegate, link or "")
    return withdrawal_attachments(delegate)
