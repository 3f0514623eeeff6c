"""Redis for the tests of the scale-out pieces (Celery, shared rate limits).

The tests use TEST_REDIS_URL (default: database 13 of the local server) and
only keys they create themselves (a unique queue name, a unique rate-limit
prefix), deleted afterwards. Without a reachable Redis they are skipped,
saying why; with REQUIRE_REDIS=1 (CI) that is a failure instead.
"""

import os
import uuid

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# One per test run: Flask-Limiter keeps the first prefix it is given.
RUN_TAG = f"meetingapp-test-{uuid.uuid4().hex[:10]}"


def redis_required() -> bool:
    """Whether a missing Redis fails the run (CI) instead of skipping its tests."""
    return os.environ.get("REQUIRE_REDIS", "") not in ("", "0", "false", "no")


def connect_or_skip():
    """A client for REDIS_URL, or skip (fail with REQUIRE_REDIS=1) when it does not answer."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = (f"Redis is not reachable at {REDIS_URL} ({error}); start redis-server or "
                  "set TEST_REDIS_URL. REQUIRE_REDIS=1 turns this skip into a failure.")
        if redis_required():
            pytest.fail("REQUIRE_REDIS=1: " + reason, pytrace=False)
        pytest.skip(reason)
    return client


def delete_keys(client, pattern: str) -> int:
    """Delete the keys matching ``pattern``, which must hold this run's tag."""
    if RUN_TAG not in pattern:
        raise ValueError(f"Only keys of this run ({RUN_TAG}) may be deleted.")
    keys = list(client.scan_iter(match=pattern, count=500))
    if keys:
        client.delete(*keys)
    return len(keys)


def redis_client_fixture():
    """Body of the ``redis_client`` fixtures: connect (or skip), then delete our keys."""
    client = connect_or_skip()
    yield client
    delete_keys(client, f"*{RUN_TAG}*")
    client.close()
