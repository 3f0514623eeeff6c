"""Downgrades that would drop data refuse to run on tables that hold rows, unless forced.

A migration names, in ``DOWNGRADE_DELETES_DATA_IN``, every table its
``downgrade()`` drops or drops a column of. Before a downgrade runs any step
(SQLite's DDL is not transactional: a refusal half-way would leave a half
downgraded schema), migrations/env.py checks every step it is about to take.
Force it (after a backup, see the README) with
``flask db downgrade --x-arg force=1 <revision>`` or MEETINGAPP_FORCE_DOWNGRADE=1.
"""

import os

import sqlalchemy as sa

FORCE_VARIABLE = "MEETINGAPP_FORCE_DOWNGRADE"
_TRUE = {"1", "true", "yes", "on"}


class DataLossRefused(RuntimeError):
    """A downgrade would destroy rows and was not forced."""


def forced() -> bool:
    """Whether the person running the migration accepted the loss of data."""
    from alembic import context

    x_args = context.get_x_argument(as_dictionary=True)
    return (x_args.get("force", "").lower() in _TRUE
            or os.environ.get(FORCE_VARIABLE, "").lower() in _TRUE)


def filled_tables(connection, tables) -> list[str]:
    """Those of ``tables`` that exist and hold at least one row."""
    if not tables:
        return []
    existing = set(sa.inspect(connection).get_table_names())
    preparer = connection.dialect.identifier_preparer
    return [name for name in tables if name in existing and connection.execute(
        sa.text(f"SELECT 1 FROM {preparer.quote(name)} LIMIT 1")).first() is not None]


def tables_emptied_by(steps) -> list[str]:
    """The tables the downgrade steps among ``steps`` delete rows or columns of."""
    tables: list[str] = []
    for step in steps:
        script = getattr(step, "revision", None)
        if not getattr(step, "is_downgrade", False) or script is None:
            continue
        for name in getattr(script.module, "DOWNGRADE_DELETES_DATA_IN", ()):
            if name not in tables:
                tables.append(name)
    return tables


def refuse_to_drop_data(connection, tables) -> None:
    """Stop the downgrade if any of ``tables`` has rows and it was not forced."""
    if forced():
        return
    filled = filled_tables(connection, tables)
    if filled:
        raise DataLossRefused(
            f"Refusing to downgrade: it would delete data in {', '.join(filled)}. "
            "Take a backup (flask backup create), then force it with "
            f"`flask db downgrade --x-arg force=1 ...` or {FORCE_VARIABLE}=1.")
