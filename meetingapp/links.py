"""Pages reached through a personal link (invitation, delegate page, calendar files).

They share one behaviour: rate-limited, never indexed, cached or sent on as a
referrer, and a bad link answers with a clear page (404 for an unknown token,
410 for one that no longer works), never a traceback.

Rate limits fit a venue where every delegate shares one Wi-Fi address: what is
counted per address is only *failed* lookups (PORTAL_FAILED_LINK_LIMIT: someone
trying tokens), and a working link is counted per token and page type
(PORTAL_RATE_LIMIT). A valid link is never refused because others from the same
address failed.
"""

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Response, current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import parse as parse_limit

from .errors import render_error
from .extensions import limiter
from .tokens import lookup_hash

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
    """Send the private headers from every view of ``bp``; its links are rate-limited as
    they are opened (``open_link``), not by Flask-Limiter's per-address count."""
    limiter.exempt(bp)
    bp.after_request(private_headers)


def _hit(setting: str, *identifiers: str) -> tuple[bool, int]:
    """Count one request against the limit ``setting``: ``(allowed, retry_after_seconds)``.

    Counters live in the rate-limit storage (Redis when shared); if it cannot be reached the
    request is allowed (degrade, don't fail: the limit loosens, the page still opens)."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return True, 0
    item = parse_limit(config[setting])
    try:
        allowed = limiter.limiter.hit(item, config.get("RATELIMIT_KEY_PREFIX") or "",
                                      *identifiers)
    except Exception as error:  # any storage failure: redis, network, ...
        current_app.logger.warning("Rate-limit storage unavailable (%s): %s not counted",
                                   type(error).__name__, setting)
        return True, 0
    return allowed, item.get_expiry()


def _too_many(retry_after: int):
    body, code = render_error(429)
    return body, code, {"Retry-After": str(retry_after)}


def count_failed_lookup():
    """A token matched nothing: counted per address. The 429 to answer once the address
    has failed too often (PORTAL_FAILED_LINK_LIMIT), else None."""
    allowed, retry_after = _hit("PORTAL_FAILED_LINK_LIMIT", "link-failed",
                                get_remote_address() or "")
    return None if allowed else _too_many(retry_after)


def count_link_use(token: str):
    """A working token was opened: counted per token and page type (PORTAL_RATE_LIMIT),
    whoever shares its address. The 429 to answer when it is over, else None."""
    allowed, retry_after = _hit("PORTAL_RATE_LIMIT", "link-used", request.blueprint or "",
                                lookup_hash(token))
    return None if allowed else _too_many(retry_after)


def open_link(find: Callable, token: str):
    """``(row, None)`` for a working token, else ``(None, error response)``."""
    try:
        row = find(token)
    except LinkUnknown:
        return None, count_failed_lookup() or render_error(404, UNKNOWN_LINK_MESSAGE)
    except LinkGone as gone:
        return None, count_link_use(token) or render_error(410, str(gone))
    refused = count_link_use(token)
    return (None, refused) if refused else (row, None)


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
