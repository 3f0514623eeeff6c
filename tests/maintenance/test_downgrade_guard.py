"""Downgrades that would drop data refuse on a database with rows, unless forced.

Each test migrates its own SQLite file: the shared test schema stays at head.
"""

import importlib.util
import re
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from meetingapp import create_app
from meetingapp.extensions import db
from meetingapp.migration_guard import FORCE_VARIABLE
from meetingapp.models import Organisation
from tests.conftest import make_config
from tests.factories import OrganisationFactory

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
HEAD = ScriptDirectory(str(VERSIONS.parent)).get_current_head()
BEFORE_LANGUAGES = "59f75cef86a5"  # the revision below "organisation correspondence language"


@pytest.fixture
def own_app(tmp_path, monkeypatch):
    monkeypatch.delenv(FORCE_VARIABLE, raising=False)
    app = create_app(make_config("sqlite:///" + str(tmp_path / "own.sqlite3"),
                                 INSTANCE_TMP=str(tmp_path)))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _revision():
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _add_organisation(name="Organisation internationale de la Francophonie"):
    OrganisationFactory(name=name, language="fr")
    db.session.commit()
    db.session.remove()


def test_downgrade_to_base_refuses_while_tables_hold_rows(own_app, capfd):
    _add_organisation("منظمة التعاون الإسلامي")
    with pytest.raises(SystemExit):
        downgrade(revision="base")
    error = capfd.readouterr().err
    assert "Refusing to downgrade: it would delete data in" in error
    assert "organisations" in error
    assert _revision() == HEAD
    assert db.session.scalars(select(Organisation.name)).all() == ["منظمة التعاون الإسلامي"]


def test_going_below_the_languages_migration_refuses_and_keeps_the_languages(own_app):
    _add_organisation()
    with pytest.raises(SystemExit):
        downgrade(revision=BEFORE_LANGUAGES)
    assert _revision() == HEAD
    assert db.session.scalars(select(Organisation.language)).all() == ["fr"]


def test_forced_downgrade_drops_the_data(own_app):
    _add_organisation()
    downgrade(revision=BEFORE_LANGUAGES, x_arg=["force=1"])
    assert _revision() == BEFORE_LANGUAGES
    columns = {c["name"] for c in inspect(db.engine).get_columns("organisations")}
    assert "language" not in columns


def test_environment_variable_forces_the_downgrade(own_app, monkeypatch):
    _add_organisation()
    monkeypatch.setenv(FORCE_VARIABLE, "1")
    downgrade(revision="base")
    assert _revision() is None
    assert "organisations" not in inspect(db.engine).get_table_names()


def test_empty_tables_downgrade_without_force_and_upgrade_again(own_app):
    downgrade(revision=BEFORE_LANGUAGES)
    assert _revision() == BEFORE_LANGUAGES
    upgrade()
    assert _revision() == HEAD


def test_the_seeded_agenda_topics_count_as_data(own_app):
    # The migrations seed the topic list, which staff extend: going to base needs force.
    with pytest.raises(SystemExit):
        downgrade(revision="base")
    assert _revision() == HEAD


@pytest.mark.parametrize("value", ["0", "no", "", "<script>", "forcé"])
def test_only_a_true_value_forces(own_app, monkeypatch, value):
    _add_organisation()
    monkeypatch.setenv(FORCE_VARIABLE, value)
    with pytest.raises(SystemExit):
        downgrade(revision=BEFORE_LANGUAGES, x_arg=[f"force={value}"])
    assert _revision() == HEAD


def _dropped_in_downgrade(source: str) -> set[str]:
    body = source[source.index("\ndef downgrade"):]
    dropped, batch_table = set(), None
    for line in body.splitlines():
        if match := re.search(r"batch_alter_table\(['\"]([^'\"]+)", line):
            batch_table = match.group(1)
        if match := re.search(r"op\.drop_table\(['\"]([^'\"]+)", line):
            dropped.add(match.group(1))
        if "drop_column(" in line:
            dropped.add(batch_table)
    return dropped


@pytest.mark.parametrize("path", sorted(VERSIONS.glob("*.py")), ids=lambda p: p.stem[:12])
def test_every_downgrade_that_drops_tables_or_columns_declares_them(path):
    source = path.read_text(encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    declared = set(getattr(module, "DOWNGRADE_DELETES_DATA_IN", ()))
    assert _dropped_in_downgrade(source) <= declared
