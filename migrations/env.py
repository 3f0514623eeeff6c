"""Alembic environment for Flask-Migrate: the app's engine and metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from meetingapp.migration_guard import refuse_to_drop_data, tables_emptied_by
from meetingapp.models.types import UTCDateTime

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url",
    target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)


def render_item(type_, obj, autogen_context):
    """Write our UTC column type as a plain timezone-aware DateTime in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # Autogenerate without changes writes no empty revision file.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)

    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table (copy, DROP, rename). With foreign keys on,
            # SQLite's DROP TABLE first deletes every row, firing ON DELETE CASCADE / SET
            # NULL on the tables that point at it: data would be lost. Off for the
            # migration (the pragma only works outside a transaction), checked after.
            _sqlite_pragma(connection, "PRAGMA foreign_keys = OFF")
        try:
            context.configure(connection=connection, target_metadata=target_db.metadata,
                              **conf_args)
            _refuse_downgrade_that_deletes_rows(connection)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"Foreign keys broken by the migration: {broken[:5]}")
        finally:
            if sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys = ON")


def _refuse_downgrade_that_deletes_rows(connection) -> None:
    """Before any step runs: refuse a downgrade whose steps would delete rows (unless forced)."""
    migration_context = context.get_context()
    plan = getattr(migration_context, "_migrations_fn", None)
    if plan is None:
        return
    steps = plan(migration_context.get_current_heads(), migration_context)
    refuse_to_drop_data(connection, tables_emptied_by(steps))
    connection.commit()  # end the reading transaction: the migration opens its own


def _sqlite_pragma(connection, statement: str) -> None:
    """Run ``statement`` on the raw connection, outside any transaction."""
    connection.connection.dbapi_connection.execute(statement)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
