"""Fixtures: a fresh app and an empty database for every test.

The schema is built once per run through the migrations (the only way the
schema changes); after each test every table is emptied. The database is a
SQLite file, or PostgreSQL when TEST_DATABASE_URL is set.

Tests do not hold an app context while they make requests (each request gets
its own, as in production); wrap database work in ``with app.app_context():``.
"""

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from meetingapp import create_app
from meetingapp.extensions import db
from tests.factories import PASSWORD, UserFactory


def pytest_report_header(config):
    return f"database: {_database_url_label()}"


def _database_url_label():
    url = os.environ.get("TEST_DATABASE_URL")
    return url.rsplit("@", 1)[-1] if url else "SQLite (temporary file)"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def make_config(database_url, **overrides):
    config = {
        "ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables():
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # TRUNCATE costs per table, so only the tables a test filled are
        # truncated; every sequence is reset, so ids start at 1 in each test.
        probe = " UNION ALL ".join(
            f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
        filled = db.session.scalars(text(probe)).all()
        if filled:
            names = ", ".join(f'"{name}"' for name in filled)
            db.session.execute(text(f"TRUNCATE {names} CASCADE"))
        db.session.execute(text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def config_overrides():
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(_schema, config_overrides, tmp_path):
    app = create_app(make_config(_schema, INSTANCE_TMP=str(tmp_path), **config_overrides))
    yield app
    with app.app_context():
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def login(client, user):
    """Sign ``client`` in as ``user`` through the real login form."""
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _client_for(app, role):
    with app.app_context():
        user = UserFactory(role=role, email=f"{role}@example.org", name=f"The {role}")
        db.session.expunge(user)  # columns stay readable after the context ends
    client = app.test_client()
    login(client, user)
    client.user = user
    return client


@pytest.fixture
def admin_client(app):
    return _client_for(app, "admin")


@pytest.fixture
def staff_client(app):
    return _client_for(app, "staff")


@pytest.fixture
def checkin_client(app):
    return _client_for(app, "checkin")
