"""``flask mail ...``: deliver the outbox, retry failed messages, send a test."""

import time

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db

mail_cli = AppGroup("mail", help="The e-mail outbox: deliver, retry, test.")


def _summary(report) -> str:
    text = f"Sent: {report.sent}, retried later: {report.retried}, failed: {report.failed}."
    if report.skipped:
        text += f" Taken by another worker: {report.skipped}."
    return text


@mail_cli.command("send")
@click.option("--limit", default=1000, show_default=True,
              help="Deliver at most this many messages in this run.")
def send_command(limit: int) -> None:
    """Deliver the messages that are due and say how many were sent, retried and failed."""
    from .delivery import deliver_due

    click.echo(_summary(deliver_due(limit=limit)))


@mail_cli.command("retry-failed")
@click.option("--meeting", type=int, default=None, help="Only the messages of this meeting (id).")
def retry_failed_command(meeting: int | None) -> None:
    """Queue every failed message again, due now; `flask mail send` then delivers them."""
    from .services import requeue_failed

    count = requeue_failed(meeting, actor="command line")
    db.session.commit()
    click.echo(f"Queued again: {count}.")


@mail_cli.command("test")
@click.argument("address")
def test_command(address: str) -> None:
    """Send a test message to ADDRESS now, to check the mail settings."""
    from ..models import OutboxStatus
    from .delivery import deliver_due
    from .services import AddressError, queue_email

    try:
        message = queue_email("test_message", address,
                              "Test message from the Special Meeting system",
                              context={"sent_by": "the command line"}, category="test")
    except AddressError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    deliver_due(limit=current_app.config["MAIL_BATCH_SIZE"])
    db.session.refresh(message)
    click.echo(f"Message {message.id} to {message.to_addrs}: {message.status}."
               + (f" {message.last_error}" if message.last_error else ""))
    if message.status != OutboxStatus.SENT:
        raise SystemExit(1)


@mail_cli.command("worker")
@click.option("--interval", default=30, show_default=True,
              help="Seconds between two looks at the outbox.")
def worker_command(interval: int) -> None:
    """Deliver due mail every INTERVAL seconds until stopped (a worker without Celery)."""
    from .delivery import deliver_due

    click.echo(f"Delivering the outbox every {interval} s; stop with Ctrl+C.")
    while True:
        try:
            report = deliver_due(limit=1000)
        except Exception:  # noqa: BLE001  (keep running: the database may come back)
            current_app.logger.exception("E-mail delivery failed; trying again later.")
        else:
            if report.handled:
                click.echo(_summary(report))
        time.sleep(interval)
