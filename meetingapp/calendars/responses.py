"""Sending a calendar: the media type, a file name, and HTTP validators for feeds."""

from flask import Response, request

from .ics import MEDIA_TYPE
from .services import CalendarFile

FEED_CACHE_CONTROL = "private, max-age=300, must-revalidate"


def send_calendar(calendar: CalendarFile, *, feed: bool = False,
                  cache_control: str = "no-store") -> Response:
    """The .ics as a download; a feed answers conditional requests with 304."""
    response = Response(calendar.content, mimetype="text/calendar")
    response.headers["Content-Type"] = MEDIA_TYPE
    disposition = "inline" if feed else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{calendar.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL if feed else cache_control
    response.set_etag(calendar.etag)
    response.last_modified = calendar.last_modified
    if feed:
        response.make_conditional(request)
    return response
