"""Recording that the SMTP server accepted a message, even while the database fails.

Once the server has taken a message, the only way to send it twice is to
lose that fact: the claim goes stale and another run sends it again. So the
"sent" mark is retried on a fresh connection before anything else, and if
the database stays unreachable the acceptance is appended to a journal file
(MAIL_ACCEPTED_JOURNAL, in the instance folder) that every delivery run
applies before it claims anything.
"""

import json
import os
import threading
import time
from datetime import datetime

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus
from ..request_log import redact

_journal_lock = threading.Lock()
# How long to wait before each further attempt to record an acceptance.
MARK_RETRY_PAUSES = (0.2, 0.5, 1, 2, 4)


def journal_path(app: Flask) -> str:
    """Where acceptances that could not be recorded in the database wait."""
    configured = app.config.get("MAIL_ACCEPTED_JOURNAL")
    if configured:
        return configured
    folder = app.config.get("INSTANCE_TMP") or app.instance_path
    return os.path.join(folder, "mail-accepted.jsonl")


def sent_values(message: OutboxMessage, sent_at: datetime, partial: str | None) -> dict:
    """The columns of a sent message: its stored copy keeps no working personal link."""
    return {"status": OutboxStatus.SENT, "sent_at": sent_at, "claimed_at": None,
            "last_error": partial or "",
            "body_text": redact(message.body_text), "body_html": redact(message.body_html)}


def _mark(session: Session, message_id: int, values: dict) -> int:
    # Whatever the claim says now, the server has the message: it is sent.
    statement = (update(OutboxMessage)
                 .where(OutboxMessage.id == message_id, OutboxMessage.status != OutboxStatus.SENT)
                 .values(**values).execution_options(synchronize_session=False))
    count = session.execute(statement).rowcount
    session.commit()
    return count


def record_sent_again(app: Flask, message_id: int, values: dict) -> bool:
    """Retry the "sent" mark on fresh connections; journal it if the database stays away."""
    for pause in MARK_RETRY_PAUSES:
        time.sleep(pause)
        session = Session(db.engine)
        try:
            _mark(session, message_id, values)
            return True
        except (OperationalError, DBAPIError):
            session.rollback()
            app.logger.warning("Could not record outbox message %s as sent yet; retrying.",
                               message_id)
        finally:
            session.close()
    write_journal(app, message_id, values)
    return False


def write_journal(app: Flask, message_id: int, values: dict) -> None:
    """Append an acceptance to the journal (flushed to disk) for the next run to record."""
    line = json.dumps({"id": message_id, "sent_at": values["sent_at"].isoformat(),
                       "last_error": values["last_error"]})
    path = journal_path(app)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with _journal_lock, open(path, "a", encoding="utf-8") as journal:
        journal.write(line + "\n")
        journal.flush()
        os.fsync(journal.fileno())
    app.logger.error("Outbox message %s was accepted by the mail server but could not be "
                     "recorded as sent; kept in %s until the database is back.", message_id, path)


def apply_journal(app: Flask, session: Session) -> int:
    """Record the journal's acceptances as sent (before any claim); returns how many."""
    path = journal_path(app)
    if not os.path.exists(path):
        return 0
    with _journal_lock:
        with open(path, encoding="utf-8") as journal:
            entries = [json.loads(line) for line in journal if line.strip()]
        for entry in entries:
            message = session.get(OutboxMessage, entry["id"])
            if message is None or message.status == OutboxStatus.SENT:
                continue
            _mark(session, entry["id"], sent_values(
                message, datetime.fromisoformat(entry["sent_at"]), entry["last_error"]))
        # Only once every entry is in the database is the journal emptied.
        os.remove(path)
    return len(entries)
