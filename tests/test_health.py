"""/healthz and /readyz: cheap JSON, no sign-in, no rate limit, 503 when not ready."""

import sqlite3

from sqlalchemy import event

from meetingapp import create_app
from meetingapp.extensions import db, limiter
from meetingapp.health import script_heads
from tests.conftest import make_config


def _count_queries(app):
    statements = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return statements, lambda: event.remove(engine, "before_cursor_execute", before)


def test_healthz_answers_without_touching_the_database(app, client):
    statements, stop = _count_queries(app)
    try:
        response = client.get("/healthz")
    finally:
        stop()
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert statements == []


def test_readyz_checks_database_and_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok",
                                   "checks": {"database": "ok", "migrations": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(make_config("postgresql://nobody@127.0.0.1:1/none",
                                 INSTANCE_TMP=str(tmp_path)))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "unreachable"
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no internals shown


def _sqlite_app(tmp_path, revision=None):
    path = tmp_path / "other.sqlite3"
    connection = sqlite3.connect(path)
    if revision is not None:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
        connection.commit()
    connection.close()
    return create_app(make_config(f"sqlite:///{path}", INSTANCE_TMP=str(tmp_path)))


def test_readyz_is_503_before_the_migrations_ran(tmp_path):
    response = _sqlite_app(tmp_path).test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok"
    assert checks["migrations"].startswith("not applied")


def test_readyz_is_503_when_the_schema_is_behind_the_code(tmp_path):
    app = _sqlite_app(tmp_path, revision="58c5ef57f6f9")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    [head] = script_heads(app.extensions["migrate"].directory)
    assert response.get_json()["checks"]["migrations"] == (
        f"at 58c5ef57f6f9, expected {head} (run flask db upgrade)")


def test_readyz_is_503_when_the_configured_broker_is_unreachable(_schema, tmp_path):
    app = create_app(make_config(_schema, INSTANCE_TMP=str(tmp_path),
                                 CELERY_BROKER_URL="redis://127.0.0.1:1/0"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok" and checks["broker"] == "unreachable"


def test_probes_are_not_rate_limited_and_need_no_sign_in(_schema, tmp_path):
    # Every other route limited to 2 requests a minute, to show the probes are not.
    app = create_app(make_config(_schema, INSTANCE_TMP=str(tmp_path), RATELIMIT_ENABLED=True,
                                 RATELIMIT_DEFAULT="2 per minute",
                                 RATELIMIT_STORAGE_URI="memory://"))
    client = app.test_client()
    try:
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
            assert client.get("/readyz").status_code == 200
        statuses = [client.get("/login").status_code for _ in range(3)]
        assert statuses[-1] == 429  # the limit is real for other pages
    finally:
        # Flask-Limiter keeps default limits across apps: leave none for later tests.
        limiter.limit_manager.set_default_limits([])
