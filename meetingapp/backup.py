"""``flask backup create`` and ``flask backup restore``: the database to one file and back.

SQLite is copied with SQLite's online backup API (a consistent copy while the
application runs); PostgreSQL with ``pg_dump -Fc`` and restored with
``pg_restore --clean --single-transaction``. A backup is only half of what a
restore needs: SECRET_KEY (and CHECKIN_CODE_KEY if set) must be kept with it,
see the README.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from .extensions import db

backup_cli = AppGroup("backup", help="Back the database up to a file, and restore it.")


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason."""


def _database():
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"Cannot back up a {url.get_backend_name()} database.")
    return url


def default_backup_path(url) -> str:
    """instance/backups/meetingapp-<UTC time>.sqlite3 or .dump."""
    folder = os.path.join(current_app.instance_path, "backups")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if url.get_backend_name() == "sqlite" else "dump"
    return os.path.join(folder, f"meetingapp-{stamp}.{suffix}")


def _libpq(url) -> tuple[str, dict]:
    """The database URL for pg_dump/pg_restore without its password, and their environment."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _run(command: list[str], environment: dict) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{os.path.basename(command[0])} failed: {done.stderr.strip()[:2000]}")


def create_backup(destination: str | None = None) -> str:
    """Write a consistent copy of the database to ``destination``; returns its path."""
    url = _database()
    path = destination or default_backup_path(url)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if os.path.exists(path):
        raise BackupError(f"{path} exists already: choose another file.")
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(url.database)) as source, \
                closing(sqlite3.connect(path)) as target:
            source.backup(target)
    else:
        dsn, environment = _libpq(url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", path,
              "--dbname", dsn], environment)
    os.chmod(path, 0o600)  # personal data: readable by the owner only
    return path


def _check_sqlite_backup(path: str) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as backup:
            ok = backup.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            tables = {row[0] for row in backup.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite backup: {error}") from error
    if not ok or "alembic_version" not in tables:
        raise BackupError(f"{path} is not a backup of this application's database.")


def restore_backup(source: str) -> None:
    """Replace the whole database with the backup in ``source``."""
    url = _database()
    if not os.path.isfile(source):
        raise BackupError(f"No backup file at {source}.")
    db.session.remove()
    db.engine.dispose()  # no connection of ours may hold the database
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup, \
                closing(sqlite3.connect(url.database)) as live:
            backup.backup(live)
    else:
        with open(source, "rb") as file:
            if file.read(5) != b"PGDMP":
                raise BackupError(f"{source} is not a pg_dump -Fc backup.")
        dsn, environment = _libpq(url)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", "--exit-on-error", "--dbname", dsn, source], environment)


@backup_cli.command("create")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="The backup file (default: instance/backups/meetingapp-<time>.sqlite3/.dump).")
def create_command(output: str | None) -> None:
    """Back the database up to one file, while the application runs."""
    try:
        path = create_backup(output)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {path}.")
    click.echo("Keep SECRET_KEY (and CHECKIN_CODE_KEY if set) with it: see the README.")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the whole database without asking.")
def restore_command(source: str, yes: bool) -> None:
    """Replace the whole database with the backup in SOURCE (stop the app and workers first)."""
    if not yes:
        click.confirm("This replaces every row of the database with the backup. Go on?",
                      abort=True)
    try:
        restore_backup(source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {source}. Run `flask db upgrade` if the backup is older "
               "than this version of the application.")
