"""The delegate's calendars (through their personal link) and the public subscription feed."""

from flask import abort, render_template, request
from flask_babel import gettext as _

from ..delegates.services import find_delegate
from ..errors import render_error
from ..extensions import db
from ..links import open_link, protect_link_blueprint
from . import delegate_bp, feed_bp
from .responses import send_calendar
from .routes import _feed_links
from .services import (
    agenda_items,
    calendar_file,
    delegate_calendar,
    feed_calendar,
    find_feed,
    issue_feed,
    public_link,
    revoke_feed,
)

for _bp in (delegate_bp, feed_bp):
    protect_link_blueprint(_bp)


def _open(token: str):
    """The delegate for ``token``, or an error response for a bad link."""
    return open_link(find_delegate, token)


@delegate_bp.route("/<token>/calendar.ics")
def personal_ics(token: str):
    """The delegate's calendar: the meeting and the items where they or theirs speak."""
    delegate, error = _open(token)
    if error:
        return error
    return send_calendar(delegate_calendar(delegate))


@delegate_bp.route("/<token>/calendar/agenda.ics")
def agenda_ics(token: str):
    """The meeting and every published item."""
    delegate, error = _open(token)
    if error:
        return error
    meeting = delegate.meeting
    items, published_at = agenda_items(meeting)
    return send_calendar(calendar_file([(meeting, items, published_at)],
                                       f"meeting-{meeting.id}-agenda.ics",
                                       link_for=public_link, name=meeting.title))


@delegate_bp.route("/<token>/calendar/items/<int:item_id>.ics")
def item_ics(token: str, item_id: int):
    """One published item of the delegate's meeting."""
    delegate, error = _open(token)
    if error:
        return error
    meeting = delegate.meeting
    items, published_at = agenda_items(meeting)
    items = [i for i in items if i.id == item_id]
    if not items:
        abort(404)
    return send_calendar(calendar_file([(meeting, items, published_at)],
                                       f"meeting-{meeting.id}-item-{item_id}.ics",
                                       link_for=public_link, name=meeting.title,
                                       include_meeting=False))


@delegate_bp.route("/<token>/calendar/feed", methods=["POST"])
def feed_link(token: str):
    """Issue (or re-issue) the delegate's subscription link, or revoke it."""
    delegate, error = _open(token)
    if error:
        return error
    actor = f"delegate {delegate.email}"
    new = None
    if request.form.get("action") == "revoke":
        revoke_feed(delegate=delegate, actor=actor)
    else:
        new = issue_feed(delegate=delegate, actor=actor)
    db.session.commit()
    return render_template("calendars/delegate_feed.html", delegate=delegate,
                           meeting=delegate.meeting, token=token,
                           links=_feed_links(new) if new else None)


@feed_bp.route("/<token>.ics")
def feed(token: str):
    """A subscription: always the current programme; 304 when nothing changed."""
    found = find_feed(token)
    if found is None:
        return render_error(404, _("This calendar link is not valid."))
    return send_calendar(feed_calendar(found), feed=True)
