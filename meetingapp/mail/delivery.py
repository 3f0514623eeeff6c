"""Delivering the outbox: claim due messages, send them, record what happened.

Safe with several workers at once: a message is claimed ("sending" and a
claim time, committed) before anyone talks to SMTP. On PostgreSQL the claim
reads with ``SELECT ... FOR UPDATE SKIP LOCKED``; everywhere each claim is an
``UPDATE`` that re-checks the message is still due, so of two workers racing
for the same row (SQLite serialises writers) only one gets it. A claim left
behind by a worker that died is taken again after MAIL_STALE_CLAIM_MINUTES.
Once the server has accepted a message, its "sent" mark is retried on a fresh
connection (and journalled if the database stays away, see acceptance.py), so
a lost database connection never turns into a second copy of the message.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, utcnow
from .acceptance import apply_journal, record_sent_again, sent_values
from .backends import ConnectionFailed, describe_failure, get_backend, is_transient
from .messages import address_specs, build_email, default_sender


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another worker in the meantime

    @property
    def handled(self) -> int:
        """Messages this run dealt with, whatever the outcome."""
        return self.sent + self.retried + self.failed + self.skipped

    def add(self, other: "DeliveryReport") -> None:
        """Add ``other``'s counts to this report."""
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.skipped += other.skipped


def _due(now: datetime, stale_before: datetime):
    return or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale_before),
    )


def _update(session: Session, message_id: int, *conditions, **values) -> int:
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount


def claim_due(session: Session, now: datetime, limit: int,
              stale_minutes: float) -> tuple[list[int], int]:
    """Claim up to ``limit`` due messages (committed); return (ids claimed, number found)."""
    stale_before = now - timedelta(minutes=stale_minutes)
    # SKIP LOCKED: a PostgreSQL worker passes over rows another is claiming.
    # SQLite has no row locks and leaves the clause out; the re-check below holds.
    candidates = session.scalars(
        select(OutboxMessage.id)
        .where(_due(now, stale_before))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = [
        message_id for message_id in candidates
        if _update(session, message_id, _due(now, stale_before),
                   status=OutboxStatus.SENDING, claimed_at=now) == 1
    ]
    session.commit()
    return claimed, len(candidates)


def retry_delay(config, attempts: int, *, catching_up: bool = False) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (the last delay repeats).

    While ``catching_up`` (a transient failure of a message younger than
    MAIL_TRANSIENT_RETRY_HOURS) the delay is at most MAIL_TRANSIENT_RETRY_MINUTES,
    so that mail queued during an outage leaves minutes after the server is back.
    """
    delays = list(config.get("MAIL_RETRY_DELAYS") or (5,))
    delay = timedelta(minutes=float(delays[min(max(attempts, 1), len(delays)) - 1]))
    if catching_up:
        delay = min(delay, timedelta(minutes=float(config["MAIL_TRANSIENT_RETRY_MINUTES"])))
    return delay


def catches_up(config, message: OutboxMessage, now: datetime) -> bool:
    """Whether ``message`` is young enough for transient failures to be retried quickly."""
    window = timedelta(hours=float(config["MAIL_TRANSIENT_RETRY_HOURS"]))
    return now - message.created_at < window


class _Run:
    """One delivery run: a database session, a backend, a clock."""

    def __init__(self, app, clock: Callable[[], datetime]):
        self.app = app
        self.config = app.config
        self.clock = clock
        self.backend = get_backend(app)
        self.sender = default_sender(self.config)
        self.envelope_from = address_specs(self.sender)[0]
        self.session = Session(db.engine, expire_on_commit=False)
        self.max_attempts = int(self.config["MAIL_MAX_ATTEMPTS"])
        self.outage: str | None = None  # the server is unreachable for this run
        self.partial: str | None = None  # recipients refused while others accepted
        self.transient = False  # the last failure was one of the moment (see is_transient)
        self.outage_transient = True  # whether the outage is (no connection, 4xx)
        self.report = DeliveryReport()

    def close(self) -> None:
        """Close the backend's connection and the database session."""
        try:
            self.backend.close()
        finally:
            self.session.close()

    def finish(self, message_id: int, claim: datetime, **values) -> None:
        """Record the outcome, if the claim is still ours, and commit."""
        values.setdefault("claimed_at", None)
        if _update(self.session, message_id, OutboxMessage.status == OutboxStatus.SENDING,
                   OutboxMessage.claimed_at == claim, **values) != 1:
            self.app.logger.warning("Outbox message %s was claimed again while being sent.",
                                    message_id)
        self.session.commit()

    def deliver(self, message_id: int) -> None:
        """Send one claimed message and record sent, retry later or failed."""
        message = self.session.get(OutboxMessage, message_id, populate_existing=True)
        if message is None:
            return
        started = self.clock()
        attempts = message.attempts + 1
        # Renew the claim for this one message just before sending: a batch may
        # take a while, and a claim taken over as stale must not be sent twice.
        renewed = _update(self.session, message_id, OutboxMessage.status == OutboxStatus.SENDING,
                          OutboxMessage.claimed_at == message.claimed_at,
                          claimed_at=started, attempts=attempts)
        self.session.commit()
        if renewed != 1:
            self.report.skipped += 1
            return
        young = catches_up(self.config, message, started)
        if message.attempts >= self.max_attempts and not young:
            # Only after attempts that were cut short (a worker stopped mid-send).
            self.finish(message_id, started, status=OutboxStatus.FAILED,
                        last_error=message.last_error or "Delivery was interrupted too often.")
            self.report.failed += 1
            return
        permanent, error = self.send(message)
        now = self.clock()
        if error is None:
            self.record_sent(message_id, started, sent_values(message, now, self.partial))
            self.report.sent += 1
        elif permanent or (attempts >= self.max_attempts and not (self.transient and young)):
            self.finish(message_id, started, status=OutboxStatus.FAILED, last_error=error[:2000])
            self.report.failed += 1
        else:
            delay = retry_delay(self.config, attempts, catching_up=self.transient and young)
            self.finish(message_id, started, status=OutboxStatus.QUEUED, last_error=error[:2000],
                        next_attempt_at=now + delay)
            self.report.retried += 1

    def record_sent(self, message_id: int, claim: datetime, values: dict) -> None:
        """Mark an accepted message sent; on a database failure retry before anything else."""
        try:
            self.finish(message_id, claim, **values)
        except DBAPIError:
            self.session.rollback()
            self.session.close()  # its connection may be dead: the retries take fresh ones
            if not record_sent_again(self.app, message_id, values):
                # The database is away: stop here; the journal is applied first next time.
                raise

    def send(self, message: OutboxMessage) -> tuple[bool, str | None]:
        """``(permanent, error)``; ``error`` is None when the server took the message."""
        self.partial = None
        self.transient = True
        if self.outage is not None:
            self.transient = self.outage_transient
            return False, self.outage
        try:
            email = build_email(message, self.sender)
        except (ValueError, TypeError) as error:
            self.transient = False
            return True, f"The message cannot be built: {error}"
        try:
            refused = self.backend.send(email, self.envelope_from,
                                        address_specs(message.to_addrs, message.cc_addrs))
        except ConnectionFailed as error:
            _, self.outage = describe_failure(error)
            self.transient = self.outage_transient = is_transient(error)
            return False, self.outage
        except Exception as error:  # noqa: BLE001  (every failure is recorded, none lost)
            self.transient = is_transient(error)
            return describe_failure(error)
        if refused:
            self.partial = "Sent, but refused for: " + "; ".join(
                f"{addr}: {code} {_text(reply)}" for addr, (code, reply) in refused.items()
            )
        return False, None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _release_caller_transaction() -> None:
    """End the caller's read-only transaction on SQLite before delivering.

    Delivery runs after the caller's commit, in its own session. On SQLite every
    transaction holds the database's write lock (BEGIN IMMEDIATE, see
    meetingapp/database.py), so a transaction the caller reopened by reading
    after its commit would make delivery wait for the caller: end it first.
    Pending changes are never thrown away.
    """
    if db.engine.dialect.name != "sqlite" or not db.session.registry.has():
        return
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.rollback()


def deliver_due(limit: int = 100, *, now: datetime | None = None) -> DeliveryReport:
    """Send up to ``limit`` due messages, in claimed batches; safe to run in parallel."""
    app = current_app._get_current_object()
    _release_caller_transaction()
    clock = (lambda: now) if now is not None else utcnow
    batch_size = max(1, int(app.config["MAIL_BATCH_SIZE"]))
    stale = float(app.config["MAIL_STALE_CLAIM_MINUTES"])
    run = _Run(app, clock)
    try:
        apply_journal(app, run.session)
        while run.report.handled < limit:
            size = min(batch_size, limit - run.report.handled)
            claimed, found = claim_due(run.session, clock(), size, stale)
            for message_id in claimed:
                run.deliver(message_id)
            # Rows lost to another worker are "sending" now: the next look skips them.
            if found < size:
                break
    finally:
        run.close()
    return run.report
