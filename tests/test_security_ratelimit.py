"""Rate limits stored in Redis hold across app instances: two processes, one limit."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from meetingapp import create_app
from tests.conftest import make_config
from tests.redis_service import REDIS_URL, RUN_TAG, redis_client_fixture

ROOT = Path(__file__).resolve().parent.parent
# Flask-Limiter keeps the first key prefix it is given: one for the whole run.
PREFIX = f"{RUN_TAG}-ratelimit"
ATTEMPT = {"email": "nobody@example.org", "password": "not the password"}

# Another web worker: its own process, its own app, the same settings.
OTHER_WORKER = """
import json, sys
from meetingapp import create_app
client = create_app(json.loads(sys.argv[1])).test_client()
attempt = json.loads(sys.argv[2])
print(json.dumps([client.post("/login", data=attempt).status_code
                  for _ in range(int(sys.argv[3]))]))
"""


@pytest.fixture(scope="module")
def redis_client():
    yield from redis_client_fixture()


def _config(database_url, tmp_path, storage):
    return make_config(database_url, INSTANCE_TMP=str(tmp_path), RATELIMIT_ENABLED=True,
                       RATELIMIT_STORAGE_URI=storage, RATELIMIT_KEY_PREFIX=PREFIX,
                       LOGIN_RATE_LIMIT_PER_ADDRESS="3 per minute",
                       LOGIN_RATE_LIMIT_PER_ACCOUNT="100 per minute")


def _other_worker(config, attempts):
    result = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, json.dumps(config), json.dumps(ATTEMPT),
         str(attempts)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# The `app` fixture empties the tables afterwards (the attempts are in the audit log).
@pytest.mark.usefixtures("app")
def test_sign_in_limit_holds_across_workers_sharing_redis(_schema, tmp_path, redis_client):
    config = _config(_schema, tmp_path, REDIS_URL)
    assert _other_worker(config, 3) == [401, 401, 401]  # wrong password, within the limit
    this_worker = create_app(config).test_client()
    assert this_worker.post("/login", data=ATTEMPT).status_code == 429
    assert _other_worker(config, 1) == [429]
    assert list(redis_client.scan_iter(match=f"*{PREFIX}*"))  # the counters are in Redis


@pytest.mark.usefixtures("app")
def test_with_memory_storage_each_worker_counts_alone(_schema, tmp_path):
    config = _config(_schema, tmp_path, "memory://")
    assert _other_worker(config, 3) == [401, 401, 401]
    this_worker = create_app(config).test_client()
    assert this_worker.post("/login", data=ATTEMPT).status_code == 401
