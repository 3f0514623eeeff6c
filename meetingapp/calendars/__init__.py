"""Calendar invitations: .ics downloads, subscription feeds and invitations by e-mail.

Three blueprints: ``calendars`` (staff, /meetings/...), ``delegate_calendars``
(the delegate's link, /d/<token>/calendar...) and ``calendar_feeds`` (the
subscription feed, /feed/<token>.ics, opened by its own token).
"""

from flask import Blueprint, Flask

bp = Blueprint("calendars", __name__, url_prefix="/meetings")
delegate_bp = Blueprint("delegate_calendars", __name__, url_prefix="/d")
feed_bp = Blueprint("calendar_feeds", __name__, url_prefix="/feed")


def register(app: Flask) -> None:
    """Register the three blueprints on ``app``."""
    for blueprint in (bp, delegate_bp, feed_bp):
        app.register_blueprint(blueprint)


def _meeting_section(meeting):
    from .services import agenda_items

    items, _published_at = agenda_items(meeting)
    return {"items": items}


def _delegate_section(delegate):
    from .services import feed_of

    feed = feed_of(delegate=delegate)
    return {"feed_active": bool(feed and feed.active)}


from ..delegates import add_page_section  # noqa: E402
from ..meetings import add_detail_section  # noqa: E402

add_detail_section("calendars/_meeting_section.html", _meeting_section)
add_page_section("calendars/_delegate_section.html", _delegate_section)

from . import delegate_routes, invites, routes  # noqa: E402,F401
