"""Command-line tools: ``flask users ...``, ``flask demo ...``, ``flask mail ...``."""

import os

import click
from flask import Flask
from flask.cli import AppGroup

from .extensions import db

users_cli = AppGroup("users", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Demonstration data.")
jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("sweep")
def sweep_jobs_command() -> None:
    """Recover the jobs a dead worker or an unreachable broker left.

    A running job silent for JOBS_STALE_MINUTES runs once more, then is marked failed;
    with Celery, queued jobs the broker never received are sent again.
    """
    from .jobs.services import recover_stalled_jobs

    report = recover_stalled_jobs()
    db.session.commit()  # the jobs to run again are sent after this commit
    click.echo(f"{report.retried} stalled job(s) started again, {report.failed} marked as "
               f"failed; {report.resent} waiting job(s) sent again.")


@users_cli.command("create")
@click.option("--email", required=True, help="E-mail address, used to sign in.")
@click.option("--name", default="", help="Display name (defaults to the e-mail).")
@click.option("--role", type=click.Choice(["admin", "staff", "checkin"]), default="staff",
              show_default=True, help="admin: everything; staff: all but users; "
              "checkin: the check-in desk only.")
def create_user_command(email: str, name: str, role: str) -> None:
    """Create a staff account.

    The password is read from MEETINGAPP_NEW_USER_PASSWORD if set, otherwise
    asked at a prompt; it is never taken from the command line, where other
    users of the machine and the shell history would see it.
    """
    from .users.forms import MIN_PASSWORD
    from .users.services import UserError, create_user

    password = os.environ.get("MEETINGAPP_NEW_USER_PASSWORD")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"The password needs at least {MIN_PASSWORD} characters.")
    try:
        user = create_user(email, name or email, role, password)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")


@demo_cli.command("load")
def load_demo_command() -> None:
    """Load the First Special Meeting, the demo organisations and a demo staff account.

    Running it again changes nothing.
    """
    from .demo import load_demo

    try:
        summary = load_demo()
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    for line in summary:
        click.echo(line)


@demo_cli.command("login")
def demo_login_command() -> None:
    """Print the demo staff login."""
    from flask import current_app
    from sqlalchemy import select

    from .models import User

    email = current_app.config["DEMO_STAFF_EMAIL"].lower()
    if db.session.scalar(select(User.id).where(User.email == email)) is None:
        click.echo("No demo staff account in this database (create one with "
                   "`flask users create`).")
        return
    click.echo(f"Demo staff login: {email} / {current_app.config['DEMO_STAFF_PASSWORD']}")


@demo_cli.command("is-empty")
def demo_is_empty_command() -> None:
    """Exit 0 if the database holds no meeting and no user (a fresh install), else 1."""
    from sqlalchemy import func, select

    from .models import Meeting, User

    used = db.session.scalar(select(func.count()).select_from(User)) or db.session.scalar(
        select(func.count()).select_from(Meeting))
    raise SystemExit(1 if used else 0)


def register(app: Flask) -> None:
    from .backup import backup_cli
    from .mail.cli import mail_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(backup_cli)
