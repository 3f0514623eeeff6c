"""Counting the SQL statements a piece of code sends, to catch N+1 queries.

``count_queries(engine)`` is a context manager; the ``query_counter`` fixture
gives one bound to the test app's engine::

    pytest_plugins = ["tests.query_counter"]

    def test_page_does_not_grow(client, query_counter):
        with query_counter() as counted:
            client.get("/page")
        assert counted.count <= 10, counted.report()

It listens to SQLAlchemy's ``before_cursor_execute`` engine event, so every
statement counts, whatever issued it (ORM, Core, raw SQL). Transaction control
that the SQLite set-up sends itself (``BEGIN IMMEDIATE``) is left out, so that
the numbers are the same on SQLite and PostgreSQL.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Statements that only manage transactions, not data.
IGNORED_PREFIXES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class QueryCount:
    """The statements seen, in order."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements were sent."""
        return len(self.statements)

    def report(self) -> str:
        """The statements, numbered, for an assertion message."""
        return "\n".join(f"{n}. {' '.join(s.split())[:300]}"
                         for n, s in enumerate(self.statements, start=1))


@contextmanager
def count_queries(engine: Engine) -> Iterator[QueryCount]:
    """Count the statements ``engine`` sends inside the ``with`` block."""
    counted = QueryCount()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(IGNORED_PREFIXES):
            counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


@pytest.fixture
def query_counter(app):
    """A function returning ``count_queries`` on the test app's engine."""
    from meetingapp.extensions import db

    with app.app_context():
        engine = db.engine

    def start():
        return count_queries(engine)

    return start
