"""The schema comes from the migrations, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from meetingapp.extensions import db


def _diff(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_and_models_agree(app):
    assert _diff(app) == []


def test_downgrade_to_base_and_upgrade_to_head(app):
    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        db.engine.dispose()
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert _diff(app) == []


def test_naming_convention_names_constraints():
    names = {c.name for t in db.metadata.sorted_tables for c in t.constraints}
    assert "ck_meetings_ends_after_start" in names
    assert "uq_organisations_name_key" in names
    assert "fk_contacts_organisation_id_organisations" in names
