"""A message the SMTP server accepted is recorded as sent even when the database fails then.

The moment between the server's "250 accepted" and the "sent" mark is the one
where a lost database connection used to leave a "sending" claim that went
stale and was sent again, with the same Message-ID, ten minutes later.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from meetingapp.extensions import db
from meetingapp.mail import acceptance, delivery
from meetingapp.mail.services import deliver_due, queue_message
from meetingapp.models import OutboxMessage, OutboxStatus, utcnow

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(acceptance, "MARK_RETRY_PAUSES", (0, 0.05, 0.1))


def _queue(n=1):
    for i in range(n):
        queue_message(f"delegate{i}@example.org", f"Message {i}",
                      f"Your link: https://localhost/d/secret{i}", None)
    db.session.commit()


def _rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _fail_sent_marks(monkeypatch, times):
    """The first ``times`` "sent" marks of the delivery run fail as a lost connection would."""
    original = delivery._update
    left = [times]

    def failing_update(session, message_id, *conditions, **values):
        if values.get("status") == OutboxStatus.SENT and left[0]:
            left[0] -= 1
            raise OperationalError("UPDATE outbox_messages ...", {},
                                   Exception("server closed the connection unexpectedly"))
        return original(session, message_id, *conditions, **values)

    monkeypatch.setattr(delivery, "_update", failing_update)


def test_sent_mark_failing_once_is_retried_and_never_sent_again(app, smtp_server,
                                                                monkeypatch):
    _fail_sent_marks(monkeypatch, times=1)
    with app.app_context():
        _queue(2)
        report = deliver_due()
        assert (report.sent, report.retried, report.failed) == (2, 0, 0)
        assert [r.status for r in _rows()] == ["sent", "sent"]
        assert all("secret" not in r.body_text for r in _rows())  # redacted as usual
        # Long after the stale-claim time: nothing is sent a second time.
        assert deliver_due(now=utcnow() + timedelta(minutes=30)).handled == 0
    ids = smtp_server.message_ids()
    assert len(ids) == 2 and len(set(ids)) == 2


def test_acceptance_is_journalled_while_the_database_stays_away(app, smtp_server,
                                                                monkeypatch):
    _fail_sent_marks(monkeypatch, times=1)

    def database_away(session, message_id, values):
        raise OperationalError("UPDATE", {}, Exception("could not connect to server"))

    monkeypatch.setattr(acceptance, "_mark", database_away)
    with app.app_context():
        _queue(1)
        with pytest.raises(OperationalError):
            deliver_due()
        [row] = _rows()
        assert row.status == "sending"  # the database never heard of the acceptance
    monkeypatch.undo()  # the database is back
    with app.app_context():
        report = deliver_due(now=utcnow() + timedelta(minutes=30))
        assert report.handled == 0  # the journal is applied before anything is claimed
        [row] = _rows()
        assert row.status == "sent" and row.sent_at is not None and row.claimed_at is None
        assert "secret" not in row.body_text
    assert len(smtp_server.received) == 1


def test_terminated_postgresql_connection_after_acceptance_sends_once(app, smtp_server,
                                                                      monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("pg_terminate_backend needs PostgreSQL (the SQLite variant is above)")
        _queue(2)
    original = delivery._Run.send
    killed = []

    def send_then_terminate(run, message):
        pid = run.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        outcome = original(run, message)
        if not killed:  # the server has the message: now the connection dies
            with db.engine.connect() as other:
                killed.append(other.execute(text("SELECT pg_terminate_backend(:pid)"),
                                            {"pid": pid}).scalar_one())
        return outcome

    monkeypatch.setattr(delivery._Run, "send", send_then_terminate)
    with app.app_context():
        report = deliver_due()
        assert killed == [True]
        assert report.sent == 2
        assert [r.status for r in _rows()] == ["sent", "sent"]
        assert deliver_due(now=utcnow() + timedelta(minutes=30)).handled == 0
    ids = smtp_server.message_ids()
    assert len(ids) == 2 and len(set(ids)) == 2
