"""Engine behaviour that the rules of the house rely on, per database.

SQLite: foreign keys are enforced, and every transaction starts with
``BEGIN IMMEDIATE`` so that writers queue one behind the other (up to the
busy timeout) instead of failing with "database is locked" when two
transactions read and then both try to write. That is how "count, then
insert" stays correct under parallel requests on the embedded database;
PostgreSQL gets the same guarantee from ``SELECT ... FOR UPDATE``.
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
