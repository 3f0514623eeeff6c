"""Staff: the meeting, its agenda or one item as .ics, and the staff subscription feed."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ..access import STAFF_ROLES, restrict_blueprint
from ..extensions import db
from ..loading import loads
from ..models import Meeting
from ..urls import external_url, public_is_https
from .responses import send_calendar
from .services import agenda_items, calendar_file, feed_of, issue_feed, revoke_feed, staff_link

bp = Blueprint("calendars", __name__, url_prefix="/meetings")

restrict_blueprint(bp, *STAFF_ROLES)


@bp.route("/<int:meeting_id>/calendar.ics")
@loads(meeting=Meeting)
def meeting_ics(meeting: Meeting):
    """The whole meeting as one event."""
    return send_calendar(calendar_file([(meeting, [], None)], f"meeting-{meeting.id}.ics",
                                       link_for=staff_link, name=meeting.title))


@bp.route("/<int:meeting_id>/calendar/agenda.ics")
@loads(meeting=Meeting)
def agenda_ics(meeting: Meeting):
    """The meeting and one event per published agenda item."""
    items, published_at = agenda_items(meeting)
    return send_calendar(calendar_file([(meeting, items, published_at)],
                                       f"meeting-{meeting.id}-agenda.ics",
                                       link_for=staff_link, name=meeting.title))


@bp.route("/<int:meeting_id>/calendar/items/<int:item_id>.ics")
@loads(meeting=Meeting)
def item_ics(item_id: int, meeting: Meeting):
    """One published agenda item."""
    items, published_at = agenda_items(meeting)
    items = [i for i in items if i.id == item_id]
    if not items:
        abort(404)
    return send_calendar(calendar_file([(meeting, items, published_at)],
                                       f"meeting-{meeting.id}-item-{item_id}.ics",
                                       link_for=staff_link, name=meeting.title,
                                       include_meeting=False))


@bp.route("/calendar/feed", methods=["GET", "POST"])
def staff_feed():
    """The staff member's own feed of every meeting: issue, re-issue or revoke its link."""
    user = current_user._get_current_object()
    token = None
    if request.method == "POST":
        if request.form.get("action") == "revoke":
            revoke_feed(user=user, actor=user.email)
        else:
            token = issue_feed(user=user, actor=user.email)
        db.session.commit()
    feed = feed_of(user=user)
    response = render_template("calendars/staff_feed.html", feed=feed,
                               links=_feed_links(token) if token else None)
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _feed_links(token: str) -> dict:
    """The feed's address under the public one; webcal:// only when that is https."""
    url = external_url("calendar_feeds.feed", token=token)
    webcal = "webcal://" + url.split("://", 1)[1] if public_is_https() else None
    return {"url": url, "webcal": webcal}
