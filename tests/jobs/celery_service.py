"""A Celery worker or beat started by the tests, and the environment they run in."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.redis_service import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
# No remote control: the worker then leaves no pidbox keys in Redis.
CELERY_OPTIONS = {"worker_enable_remote_control": False}


def worker_environment(database_url: str, queue: str, mail_dir, **settings: str) -> dict:
    """This process's environment without our settings, plus the test database, the local
    Redis as broker on ``queue``, console mail into ``mail_dir`` and ``settings``."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("MEETINGAPP_") and key != "DATABASE_URL"}
    env.update(
        MEETINGAPP_DATABASE_URL=database_url,
        MEETINGAPP_CELERY_BROKER_URL=REDIS_URL,
        MEETINGAPP_CELERY_QUEUE=queue,
        MEETINGAPP_CELERY_OPTIONS=json.dumps(CELERY_OPTIONS),
        MEETINGAPP_MAIL_BACKEND="console",
        MEETINGAPP_MAIL_FILE_DIR=str(mail_dir),
        MEETINGAPP_MAIL_DELIVERY="manual",
        **{f"MEETINGAPP_{name}": value for name, value in settings.items()},
    )
    return env


class Service:
    """A celery worker or beat in a subprocess, its output kept for the assertions."""

    def __init__(self, args: list[str], env: dict, ready: str):
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "meetingapp.tasks", *args], cwd=ROOT,
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 60
        while not any(ready in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("celery did not start:\n" + self.output, pytrace=False)
            time.sleep(0.1)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.reader.join(10)
