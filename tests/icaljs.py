"""A second, independent calendar parser for the tests: Thunderbird's ical.js under node.

scripts/install-node-tools.sh installs it into tests/node/node_modules (make test, .ci/run
and scripts/install-system-deps.sh call it). One node process reads a whole batch.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "ical_read.mjs"


def _run(request: dict) -> dict:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed: run `bash scripts/install-node-tools.sh`.")
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps(request), capture_output=True,
                          text=True, cwd=NODE_DIR, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_times(cases: list[tuple[bytes | str, str, list[tuple]]]) -> list[list[int]]:
    """For each ``(ics, tzid, local times)``: the instants (Unix seconds) ical.js reads the
    local times ``(y, m, d, h, mi, s)`` as, in the file's VTIMEZONE ``tzid``."""
    request = [{"ics": ics.decode() if isinstance(ics, bytes) else ics, "tzid": tzid,
                "local": [list(t) for t in times]} for ics, tzid, times in cases]
    return _run({"times": request})["times"]


def read_calendars(files: list[bytes | str]) -> list[dict]:
    """Each file as ical.js reads it: ``{"method", "events": [{"uid", "sequence", "status",
    "url", "summary", "start", "end"}]}`` (start and end in Unix seconds)."""
    texts = [f.decode() if isinstance(f, bytes) else f for f in files]
    return _run({"calendars": texts})["calendars"]


def read_calendar(content: bytes | str) -> dict:
    """One file as ical.js reads it (see ``read_calendars``)."""
    return read_calendars([content])[0]
