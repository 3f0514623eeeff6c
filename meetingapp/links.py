"""Pages reached through a personal link (invitation, delegate page, calendar files).

They share one behaviour: rate-limited per address, never indexed, cached or
sent on as a referrer, and a bad link answers with a clear page (404 for an
unknown token, 410 for one that no longer works), never a traceback.
"""

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Response, current_app
from flask_babel import lazy_gettext as _l

from .errors import render_error
from .extensions import limiter

UNKNOWN_LINK_MESSAGE = _l("This link is not valid. If you received a newer e-mail from the "
                          "secretariat, please use the link in it.")


class LinkUnknown(LookupError):
    """No row has this token (never had, or it was replaced by a newer one)."""


class LinkGone(LookupError):
    """The row exists but its link no longer works; the message says why."""


def private_headers(response: Response) -> Response:
    """Not indexed, not cached (unless the view chose), the token never sent on as a referrer."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def protect_link_blueprint(bp: Blueprint) -> None:
    """Rate-limit every view of ``bp`` (PORTAL_RATE_LIMIT) and send the private headers."""
    limiter.limit(lambda: current_app.config["PORTAL_RATE_LIMIT"])(bp)
    bp.after_request(private_headers)


def open_link(find: Callable, token: str):
    """``(row, None)`` for a working token, else ``(None, error response)``."""
    try:
        return find(token), None
    except LinkUnknown:
        return None, render_error(404, UNKNOWN_LINK_MESSAGE)
    except LinkGone as gone:
        return None, render_error(410, str(gone))


def opens_link(find: Callable, as_: str) -> Callable:
    """Decorator for the views of a personal link: the view gets what ``find(token)`` returns
    as ``as_`` (with ``token``), or the link's error page answers instead."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(token: str, **kwargs):
            row, error = open_link(find, token)
            if error is not None:
                return error
            return view(token=token, **{as_: row}, **kwargs)

        return wrapped

    return decorator
