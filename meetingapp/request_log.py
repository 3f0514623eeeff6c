"""Logs on stdout, one access line per request with a request id, secrets redacted.

Every request gets an id: the proxy's ``X-Request-ID`` when it sent a sane
one, else a fresh one; it goes back in the response's ``X-Request-ID`` and
into every log line written while the request runs. The access line itself
is gunicorn's (``GunicornLogger`` below, set in gunicorn.conf.py), which
reads the id from the response.

Personal links carry their secret in the path (``/i/<token>``,
``/d/<token>``, calendar feeds) or in a ``token`` query parameter: those
parts are replaced by ``[redacted]`` in the access log and in the
application's own log, so that whoever reads the logs gets no access.

Personal data stays out of the logs too: what people search for (``q=``,
``search=``, also inside an encoded ``next=``) is redacted from every line,
SQL errors are logged without their parameters (the engine's
``hide_parameters``, meetingapp/config.py), and the row values PostgreSQL
repeats in an error's detail ("Key (email)=(...)", "Failing row contains
(...)") are redacted.
"""

import logging
import re
import sys
import uuid

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

REDACTED = "[redacted]"
# First path segment after these prefixes is a secret (a personal link's token).
SECRET_PATH_PREFIXES = ("i", "d", "feed", "feeds")
HEADER = "X-Request-ID"
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"

_SECRET_PATH = re.compile(
    r"(/(?:" + "|".join(re.escape(p) for p in SECRET_PATH_PREFIXES) + r")/)[^/?#\s\"']+"
)
# token=..., access_token=..., feed_token=... in a query string or a URL.
_SECRET_PARAM = re.compile(r"(?i)((?:^|(?<=[?&;\s\"']))[\w.-]*token=)[^&#\s\"']*")
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# What people search for (names, e-mail addresses): the query parameters of search pages,
# plain or percent-encoded inside another parameter (the sign-in page's ``next``).
SEARCH_PARAMS = ("q", "search")
_SEARCH_PARAM = re.compile(
    r"(?i)((?:^|(?<=[?&;])|%3F|%26)(?:" + "|".join(SEARCH_PARAMS) + r")(?:=|%3D))"
    r"(?:(?!%26)[^&#\s\"'])*")
# Row values PostgreSQL repeats in an error's detail.
_DATABASE_DETAIL = re.compile(r"(Key \([^)]*\)=\().*?(\) (?:already exists|is not present))"
                              r"|(Failing row contains \().*(\))")


def redact(text: str) -> str:
    """``text`` with link tokens, search terms and database row values replaced."""
    if not text:
        return text
    if "Key (" in text or "Failing row" in text:
        text = _DATABASE_DETAIL.sub(_redact_detail, text)
    if "/" not in text and "token" not in text.lower() and "=" not in text:
        return text
    text = _SECRET_PATH.sub(r"\1" + REDACTED, text)
    text = _SECRET_PARAM.sub(r"\1" + REDACTED, text)
    return _SEARCH_PARAM.sub(r"\1" + REDACTED, text)


def _redact_detail(match: re.Match) -> str:
    if match.group(1):
        return match.group(1) + REDACTED + match.group(2)
    return match.group(3) + REDACTED + match.group(4)


def request_id() -> str:
    """This request's id (the proxy's X-Request-ID if sane, else a new one)."""
    rid = g.get("request_id")
    if rid is None:
        sent = request.headers.get(HEADER, "")
        rid = sent if _SANE_ID.fullmatch(sent) else uuid.uuid4().hex
        g.request_id = rid
    return rid


class RequestLogFilter(logging.Filter):
    """Adds ``request_id`` to each record and redacts secrets from its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate and clean ``record``; never drops it."""
        if not hasattr(record, "request_id"):
            record.request_id = request_id() if has_request_context() else "-"
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a bad format string is the logging module's to report)
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


REQUEST_LOG_FILTER = RequestLogFilter()


def _add_filter(logger: logging.Logger | logging.Handler) -> None:
    if REQUEST_LOG_FILTER not in logger.filters:
        logger.addFilter(REQUEST_LOG_FILTER)


def install_stdout_handler(level: str = "INFO") -> None:
    """Send the root logger to stdout with request ids, unless logging is configured already."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    _add_filter(handler)
    root.addHandler(handler)
    root.setLevel(level)


def register(app: Flask) -> None:
    """Request ids in and out, and redacting filters on the app's and werkzeug's loggers."""
    if not app.testing:
        # Before app.logger exists: Flask then adds no stderr handler of its own.
        install_stdout_handler(str(app.config.get("LOG_LEVEL") or "INFO").upper())
        if logging.getLogger().handlers:
            app.logger.removeHandler(default_handler)
    # On the loggers themselves, so that every handler (pytest's too) sees clean records;
    # the stdout handler carries the filter for other libraries' loggers.
    _add_filter(app.logger)
    _add_filter(logging.getLogger("werkzeug"))

    @app.before_request
    def _take_request_id() -> None:
        request_id()

    @app.after_request
    def _give_request_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        return response


try:  # gunicorn serves production; the embedded default does without it.
    from gunicorn.glogging import Logger as _GunicornBaseLogger
except ImportError:  # pragma: no cover
    _GunicornBaseLogger = None


if _GunicornBaseLogger is not None:

    class GunicornLogger(_GunicornBaseLogger):
        """gunicorn's logger: everything on stdout, secrets redacted from access lines."""

        def setup(self, cfg) -> None:
            """Configure as gunicorn does, then send its error log to stdout too."""
            super().setup(cfg)
            # gunicorn's own error log names request paths too (at debug level,
            # and on a failed request): redact them like every other line.
            _add_filter(self.error_log)
            if cfg.errorlog == "-":
                self._set_handler(self.error_log, "-",
                                  logging.Formatter(self.error_fmt, self.datefmt),
                                  stream=sys.stdout)

        def atoms(self, resp, req, environ, request_time) -> dict:
            """gunicorn's access-log fields, each with secrets redacted."""
            atoms = super().atoms(resp, req, environ, request_time)
            return {key: redact(value) if isinstance(value, str) else value
                    for key, value in atoms.items()}
