"""The delegate's calendars (through their personal link) and the public subscription feed."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from ..delegates.routes import opens_delegate
from ..errors import render_error
from ..extensions import db
from ..links import count_failed_lookup, count_link_use, protect_link_blueprint
from ..models import Delegate
from .responses import send_calendar
from .routes import _feed_links
from .services import (
    agenda_items,
    calendar_file,
    delegate_calendar,
    feed_calendar,
    find_feed,
    issue_feed,
    page_link,
    revoke_feed,
)

delegate_bp = Blueprint("delegate_calendars", __name__, url_prefix="/d")
feed_bp = Blueprint("calendar_feeds", __name__, url_prefix="/feed")

for _bp in (delegate_bp, feed_bp):
    protect_link_blueprint(_bp)


@delegate_bp.route("/<token>/calendar.ics")
@opens_delegate
def personal_ics(token: str, delegate: Delegate):
    """The delegate's calendar: the meeting and the items where they or theirs speak."""
    return send_calendar(delegate_calendar(delegate, link=page_link(token)))


@delegate_bp.route("/<token>/calendar/agenda.ics")
@opens_delegate
def agenda_ics(token: str, delegate: Delegate):
    """The meeting and every published item."""
    meeting = delegate.meeting
    items, published_at = agenda_items(meeting)
    return send_calendar(calendar_file([(meeting, items, published_at)],
                                       f"meeting-{meeting.id}-agenda.ics",
                                       link_for=lambda _m: page_link(token), name=meeting.title))


@delegate_bp.route("/<token>/calendar/items/<int:item_id>.ics")
@opens_delegate
def item_ics(token: str, delegate: Delegate, item_id: int):
    """One published item of the delegate's meeting."""
    meeting = delegate.meeting
    items, published_at = agenda_items(meeting)
    items = [i for i in items if i.id == item_id]
    if not items:
        abort(404)
    return send_calendar(calendar_file([(meeting, items, published_at)],
                                       f"meeting-{meeting.id}-item-{item_id}.ics",
                                       link_for=lambda _m: page_link(token), name=meeting.title,
                                       include_meeting=False))


@delegate_bp.route("/<token>/calendar/feed", methods=["POST"])
@opens_delegate
def feed_link(token: str, delegate: Delegate):
    """Issue (or re-issue) the delegate's subscription link, or revoke it."""
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
        return count_failed_lookup() or render_error(404, _("This calendar link is not valid."))
    refused = count_link_use(token)
    if refused:
        return refused
    return send_calendar(feed_calendar(found), feed=True)
