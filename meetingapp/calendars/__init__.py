"""Calendar invitations: .ics downloads, subscription feeds and invitations by e-mail.

Three blueprints: ``calendars`` (staff, /meetings/...), ``delegate_calendars``
(the delegate's link, /d/<token>/calendar...) and ``calendar_feeds`` (the
subscription feed, /feed/<token>.ics, opened by its own token). Listens to
``hooks.meeting_changed`` and ``hooks.agenda_published`` (updates and cancellations by
e-mail) and adds the invitation to the e-mails about a registration.
"""

from flask import Flask

from .. import hooks
from .delegate_routes import delegate_bp, feed_bp
from .invites import email_attachments, on_agenda_published, on_meeting_changed
from .routes import bp
from .services import agenda_items, feed_of


def _meeting_section(meeting) -> dict:
    items, _published_at = agenda_items(meeting)
    return {"items": items}


def _delegate_section(delegate) -> dict:
    feed = feed_of(delegate=delegate)
    return {"feed_active": bool(feed and feed.active)}


def register(app: Flask) -> None:
    """The three blueprints, the "Add to calendar" sections, the signal handlers."""
    for blueprint in (bp, delegate_bp, feed_bp):
        app.register_blueprint(blueprint)
    hooks.add_section(app, hooks.MEETING_PAGE, "calendars/_meeting_section.html",
                      position=hooks.Position.CALENDARS, context=_meeting_section)
    hooks.add_section(app, hooks.DELEGATE_PAGE, "calendars/_delegate_section.html",
                      position=hooks.Position.CALENDARS, context=_delegate_section)
    hooks.meeting_changed.connect(on_meeting_changed, weak=False)
    hooks.agenda_published.connect(on_agenda_published, weak=False)
    hooks.delegate_email_attachments.connect(email_attachments, weak=False)
