"""Logs: a request id on every request and log line; personal-link tokens never logged."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from meetingapp.request_log import REDACTED, redact
from tests.invitation_helpers import invitation_with_token
from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Sx9-secretTOKENvalue_0123456789abcdef"


@pytest.mark.parametrize("text, expected", [
    (f"GET /i/{TOKEN} HTTP/1.1", f"GET /i/{REDACTED} HTTP/1.1"),
    (f"POST /i/{TOKEN}/respond/accept", f"POST /i/{REDACTED}/respond/accept"),
    (f"https://meet.example.org/d/{TOKEN}?x=1", f"https://meet.example.org/d/{REDACTED}?x=1"),
    (f"/feed/{TOKEN}.ics", f"/feed/{REDACTED}"),
    (f"/calendar?token={TOKEN}&lang=fr", f"/calendar?token={REDACTED}&lang=fr"),
    (f"token={TOKEN}", f"token={REDACTED}"),
    (f"/x?access_token={TOKEN}", f"/x?access_token={REDACTED}"),
    ("/meetings/12/invitations?page=2", "/meetings/12/invitations?page=2"),
    ("/idea/7", "/idea/7"),
])
def test_redact_hides_link_tokens_and_token_parameters(text, expected):
    assert redact(text) == expected


def test_each_response_carries_a_new_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0 and first != second


@pytest.mark.parametrize("sent, kept", [("req-42.a:b_C", True), ("two words", False),
                                        ("x" * 200, False), ('id" [forged] "GET', False)])
def test_a_sane_request_id_from_the_proxy_is_kept(client, sent, kept):
    got = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (got == sent) is kept
    assert len(got) <= 128


def test_application_log_has_the_request_id_and_no_token(app, client, caplog):
    from flask import current_app

    @app.route("/i/<token>/_boom")
    def boom(token):
        current_app.logger.warning("Looking at /i/%s now", token)
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # log it and answer 500, as in production
    with caplog.at_level(logging.INFO):
        response = client.get(f"/i/{TOKEN}/_boom?token={TOKEN}")
    assert response.status_code == 500
    rid = response.headers["X-Request-ID"]
    records = [r for r in caplog.records if r.name == app.logger.name]
    assert [r.levelname for r in records] == ["WARNING", "ERROR"]
    assert all(r.request_id == rid for r in records)
    assert f"Exception on /i/{REDACTED}/_boom [GET]" in caplog.text
    assert TOKEN not in caplog.text


def test_development_server_request_lines_are_redacted(caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1", "now",
                                           f"GET /i/{TOKEN}?token={TOKEN} HTTP/1.1", "200", "-")
    assert TOKEN not in caplog.text and f"/i/{REDACTED}" in caplog.text


class Gunicorn:
    """The app under the real gunicorn (gunicorn.conf.py, one worker) on the test database;
    ``out`` and ``err`` hold what it wrote once the ``with`` block ends."""

    def __init__(self, database_url: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("MEETINGAPP_", "GUNICORN_")) and key != "DATABASE_URL"}
        env.update(MEETINGAPP_DATABASE_URL=database_url, GUNICORN_BIND=f"127.0.0.1:{self.port}",
                   GUNICORN_WORKERS="1", MEETINGAPP_MAIL_DELIVERY="manual")
        self.env = env
        self.out = self.err = ""

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for_port(self.port, self.process)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.out, self.err = self.process.communicate(timeout=30)


def _wait_for_port(port: int, process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn stopped: " + process.stdout.read())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start listening")


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"]


def test_gunicorn_logs_one_line_per_request_with_request_id_and_no_token(app, _schema):
    with app.app_context():
        _, token = invitation_with_token()
    with Gunicorn(_schema) as server:
        answers = [
            _get(f"{server.base}/i/{token}"),
            _get(f"{server.base}/i/{TOKEN}?token={TOKEN}"),
            _get(f"{server.base}/healthz", {"X-Request-ID": "from-the-proxy-1"}),
        ]
    out, err = server.out, server.err
    assert [status for status, _ in answers] == [200, 404, 200]
    assert answers[2][1] == "from-the-proxy-1"
    access = [line for line in out.splitlines() if '"GET ' in line]
    assert len(access) == 3
    for line, (status, rid) in zip(access, answers, strict=True):
        assert f"[{rid}]" in line and f'" {status} ' in line
    assert f"/i/{REDACTED}" in access[0] and f"token={REDACTED}" in access[1]
    assert token not in out + err and TOKEN not in out + err
    assert "Booting worker" in out  # gunicorn's own log is on stdout too
