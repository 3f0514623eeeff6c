"""Delivery after commit: the request that queued mail starts its delivery.

``queue_message`` marks the session; when that session's transaction commits
the mark becomes "mail committed", and a rollback drops it. After the request
(when MAIL_DELIVERY is "after_request" and the response is not an error) due
mail is delivered: in the request when MAIL_DELIVERY_SYNC, otherwise in one
background thread per process. Nothing here ever raises into the request.
"""

import threading
import time

from flask import Flask, Response, current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from ..extensions import db
from ..health import is_probe

QUEUED = "meetingapp.mail.queued"
COMMITTED = "meetingapp.mail.committed"
EXTENSION = "meetingapp.mail"
# One after-commit run sends at most this many; the rest wait for the next run.
AFTER_COMMIT_LIMIT = 1000

_extension_lock = threading.Lock()


def note_queued(session) -> None:
    """Remember that ``session``'s transaction holds new mail to deliver once committed."""
    session.info[QUEUED] = True


@event.listens_for(FlaskSession, "after_commit")
def _mail_committed(session) -> None:
    # A savepoint's "commit" is not the transaction's: wait for the real one.
    if session.in_nested_transaction():
        return
    if session.info.pop(QUEUED, False):
        session.info[COMMITTED] = True


@event.listens_for(FlaskSession, "after_transaction_end")
def _transaction_ended(session, transaction) -> None:
    # After a commit the mark has already moved on; after a rollback it goes.
    if transaction.parent is None:
        session.info.pop(QUEUED, None)


def take_committed_mark() -> bool:
    """True (once) if mail was committed in this app context's session."""
    if not db.session.registry.has():
        return False
    return bool(db.session().info.pop(COMMITTED, False))


def delivers_in_request(app: Flask) -> bool:
    """Whether after-commit delivery runs inside the request (MAIL_DELIVERY_SYNC)."""
    sync = app.config.get("MAIL_DELIVERY_SYNC")
    return bool(app.testing) if sync is None else bool(sync)


def deliver_now_safely(app: Flask) -> None:
    """Deliver due mail in the current app context, logging (never raising) any error."""
    from .delivery import deliver_due

    try:
        deliver_due(limit=AFTER_COMMIT_LIMIT)
    except Exception:  # noqa: BLE001  (mail waits in the outbox; the request must not fail)
        app.logger.exception("E-mail delivery failed; the messages stay in the outbox.")


class _Dispatcher:
    """At most one background delivery thread per process and app."""

    def __init__(self, app: Flask):
        self.app = app
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.again = False
        self.last_start = float("-inf")

    def kick(self) -> None:
        """Start the delivery thread, or ask the running one to go round again."""
        with self.lock:
            self.last_start = time.monotonic()
            if self.thread is not None:
                self.again = True  # the running thread goes round once more
                return
            self.thread = threading.Thread(target=self._run, name="mail-delivery", daemon=True)
            self.thread.start()

    def poll(self, seconds: float) -> None:
        """Kick if nothing started delivery in the last ``seconds``."""
        if seconds and time.monotonic() - self.last_start >= seconds:
            self.kick()

    def _run(self) -> None:
        while True:
            with self.app.app_context():
                deliver_now_safely(self.app)
            with self.lock:
                if not self.again:
                    self.thread = None
                    return
                self.again = False

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running delivery thread, if any (tests and shutdown)."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)


def dispatcher(app: Flask) -> _Dispatcher:
    """The app's background delivery dispatcher (created on first use)."""
    with _extension_lock:
        if EXTENSION not in app.extensions:
            app.extensions[EXTENSION] = _Dispatcher(app)
        return app.extensions[EXTENSION]


def deliver_soon() -> None:
    """Deliver due mail now or in the background, as configured; never raises."""
    app = current_app._get_current_object()
    if delivers_in_request(app):
        deliver_now_safely(app)
    else:
        dispatcher(app).kick()


def after_request(response: Response) -> Response:
    """After a successful request that committed mail, deliver it (see module docstring)."""
    app = current_app._get_current_object()
    if app.config.get("MAIL_DELIVERY", "after_request") != "after_request" or is_probe():
        return response  # a health probe touches nothing, not even the outbox
    try:
        committed = take_committed_mark()
        if committed and response.status_code < 400:
            deliver_soon()
        elif not delivers_in_request(app):
            # Retries fall due later; without a worker, requests pick them up.
            dispatcher(app).poll(float(app.config.get("MAIL_POLL_SECONDS") or 0))
    except Exception:  # noqa: BLE001
        app.logger.exception("Could not start e-mail delivery; the messages stay in the outbox.")
    return response
