"""A second, independent reader of our calendars: Thunderbird's ical.js under Node.

``scripts/install-test-js.sh`` (run by ``make test``) installs it into tests/js; without
Node the tests that use it are skipped, unless REQUIRE_ICALJS=1 (CI) makes that a failure.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "js"
SCRIPT = HERE / "ical_events.cjs"


def available() -> bool:
    return bool(shutil.which("node")) and (HERE / "node_modules" / "ical.js").is_dir()


def read_calendar(content: bytes) -> dict:
    """``{"method": ..., "events": [{"uid", "summary", "url", "sequence", ...}]}``."""
    if not available():
        message = "ical.js is not installed (make test, or scripts/install-test-js.sh)"
        if os.environ.get("REQUIRE_ICALJS"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(["node", str(SCRIPT)], input=content, capture_output=True,
                            cwd=HERE, timeout=60)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return json.loads(result.stdout)
