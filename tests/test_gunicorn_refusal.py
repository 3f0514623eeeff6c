"""A refused production configuration stops gunicorn's master at once, with the one-line
reason, instead of workers being booted and killed forever."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent


def _env(port: int, **settings) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MEETINGAPP_", "GUNICORN_", "FLASK_")) and key != "DATABASE_URL"}
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2",
               MEETINGAPP_ENV="production", **settings)
    return env


def _port_is_bound(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("settings, says", [
    ({}, "MEETINGAPP_SECRET_KEY"),
    ({"MEETINGAPP_SECRET_KEY": "y" * 40}, "MEETINGAPP_MAIL_BACKEND=smtp"),
    ({"MEETINGAPP_SECRET_KEY": "y" * 40, "MEETINGAPP_MAIL_BACKEND": "smtp"},
     "MEETINGAPP_PUBLIC_URL"),
    ({"MEETINGAPP_SECRET_KEY": "y" * 40, "MEETINGAPP_MAIL_BACKEND": "smtp",
      "MEETINGAPP_PUBLIC_URL": "javascript:alert(1)//<script>"}, "MEETINGAPP_PUBLIC_URL"),
    ({"MEETINGAPP_SECRET_KEY": "y" * 40, "MEETINGAPP_MAIL_BACKEND": "smtp",
      "MEETINGAPP_PUBLIC_URL": "https://meetings.example.org",
      "MEETINGAPP_RATELIMIT_ENABLED": "\u0646\u0639\u0645"},  # "yes" in Arabic: not a boolean
     "MEETINGAPP_RATELIMIT_ENABLED"),
])
def test_gunicorn_master_stops_with_the_one_line_reason(tmp_path, settings, says):
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
        env=_env(port, **settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail("gunicorn kept running on a refused configuration:\n" + out[-2000:])
    assert process.returncode != 0
    assert time.monotonic() - started < 20
    refusals = [line for line in err.splitlines() if line.startswith("meetingapp: ")]
    assert len(refusals) == 1 and says in refusals[0], err
    assert "Traceback" not in err + out
    assert "Booting worker" not in out + err  # no worker was ever started
    assert not _port_is_bound(port)
