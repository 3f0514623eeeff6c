"""A database that hangs (accepts connections, never answers): /healthz touches nothing,
/readyz answers 503 within 2 s, pages fail within seconds, not after 10."""

import os
import socket
import threading
import time

import pytest
from sqlalchemy import text

from meetingapp import create_app
from meetingapp.config import ConfigurationError
from meetingapp.extensions import db
from tests.conftest import make_config


class HungDatabase:
    """A real socket on loopback that accepts connections and never says a word."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.server.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(connection)

    @property
    def url(self) -> str:
        return f"postgresql://meetingapp@127.0.0.1:{self.port}/meetingapp"

    def close(self):
        self.server.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def hung():
    server = HungDatabase()
    yield server
    server.close()


def _app(hung, tmp_path, **settings):
    app = create_app(make_config(hung.url, INSTANCE_TMP=str(tmp_path), **settings))
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as in production
    return app


def _timed(client, method: str, path: str, **kwargs):
    started = time.monotonic()
    response = client.open(path, method=method, **kwargs)
    return response, time.monotonic() - started


def test_readyz_answers_503_within_2_seconds_when_the_database_hangs(hung, tmp_path):
    client = _app(hung, tmp_path).test_client()
    for _ in range(2):  # the second while the first probe still waits
        response, seconds = _timed(client, "GET", "/readyz")
        assert response.status_code == 503 and seconds < 2, seconds
        body = response.get_json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "timeout"
        assert str(hung.port) not in response.get_data(as_text=True)
    assert hung.accepted  # it really tried the hung server


def test_healthz_touches_nothing_external_when_the_database_hangs(hung, tmp_path):
    # Not TESTING: e-mail delivery then runs in a background thread that requests kick.
    client = _app(hung, tmp_path, TESTING=False, MAIL_POLL_SECONDS=1).test_client()
    for _ in range(5):
        response, seconds = _timed(client, "GET", "/healthz")
        assert response.status_code == 200 and seconds < 0.5
        assert response.get_json() == {"status": "ok"}
    time.sleep(0.3)
    assert hung.accepted == []  # no connection to the database at all


def test_a_page_that_needs_the_database_fails_within_seconds(hung, tmp_path):
    client = _app(hung, tmp_path).test_client()
    response, seconds = _timed(client, "POST", "/login",
                               data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 500
    assert seconds < 5, seconds  # the connect timeout, not 10 s or a worker's timeout


def test_postgresql_connections_carry_connect_and_statement_timeouts(tmp_path):
    app = create_app(make_config("postgresql://u@127.0.0.1:1/x", INSTANCE_TMP=str(tmp_path)))
    args = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert args == {"connect_timeout": 2, "options": "-c statement_timeout=30000"}
    app = create_app(make_config("postgresql://u@127.0.0.1:1/x", INSTANCE_TMP=str(tmp_path),
                                 DATABASE_CONNECT_TIMEOUT=5, DATABASE_STATEMENT_TIMEOUT=0))
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"connect_timeout": 5}


@pytest.mark.parametrize("raw", ["ten", "<script>alert(1)</script>", "1e999999", "2\u202e"])
def test_a_timeout_that_is_not_a_number_is_refused_in_one_line(monkeypatch, tmp_path, raw):
    monkeypatch.setenv("MEETINGAPP_DATABASE_CONNECT_TIMEOUT", raw)
    with pytest.raises(ConfigurationError, match="MEETINGAPP_DATABASE_CONNECT_TIMEOUT"):
        create_app(make_config("postgresql://u@127.0.0.1:1/x", INSTANCE_TMP=str(tmp_path)))


def test_a_timeout_in_arabic_indic_digits_is_read_as_its_number(monkeypatch, tmp_path):
    monkeypatch.setenv("MEETINGAPP_DATABASE_CONNECT_TIMEOUT", "\u0661\u0660")  # 10
    app = create_app(make_config("postgresql://u@127.0.0.1:1/x", INSTANCE_TMP=str(tmp_path)))
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 10


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="PostgreSQL only (TEST_DATABASE_URL)")
def test_postgresql_sessions_have_the_statement_timeout(app):
    with app.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "30s"


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="PostgreSQL only (TEST_DATABASE_URL)")
def test_pages_work_again_after_the_database_dropped_every_connection(app, client):
    import psycopg

    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.commit()  # the connection goes back to the pool
    # From outside the app's pool, as an administrator or a restarting server would.
    with psycopg.connect(os.environ["TEST_DATABASE_URL"], autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    assert client.get("/readyz").get_json()["checks"]["database"] == "ok"
    wrong = {"email": "nobody@example.org", "password": "not the password"}
    assert client.post("/login", data=wrong).status_code == 401  # reads and writes again
