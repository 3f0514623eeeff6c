"""`make run` and `make test` on a fresh machine: what they need beyond Python is
installed by the project's own scripts (as root), or named in one line (otherwise).

The system's commands are stood in for by small scripts on PATH (``dpkg-query`` that
knows no package, ``id`` that says who we are, ``apt-get`` that notes its arguments),
so nothing is installed here.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(*args, env=None):
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args],
                          capture_output=True, text=True, timeout=120, env=env)


def _fresh_machine(tmp_path, uid: int) -> dict:
    """PATH where no Debian package is installed, ``id -u`` is ``uid``, apt-get is noted."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "dpkg-query": "exit 1",
        "id": f'[ "$1" = "-u" ] && echo {uid} || echo "uid={uid}"',
        "apt-get": f'echo "apt-get $*" >> "{tmp_path}/apt.log"',
        "apt-cache": 'echo "  Candidate: 1.0"',
        "fc-cache": "exit 0",
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_run_serves_on_the_host_and_port_given_and_127_0_0_1_5000_by_default():
    default = _make("-n", "run")
    assert default.returncode == 0, default.stderr
    assert "FLASK_RUN_HOST=127.0.0.1 FLASK_RUN_PORT=5000 .venv/bin/flask run" in default.stdout
    chosen = _make("-n", "run", "PORT=8080", "HOST=0.0.0.0")
    # flask run serves there, and every command of the run (the demo's e-mails too) takes
    # it as the public address of the links it builds.
    for command in ("flask db upgrade", "flask demo load", "flask run"):
        assert f"FLASK_RUN_HOST=0.0.0.0 FLASK_RUN_PORT=8080 .venv/bin/{command}" in chosen.stdout


def test_the_served_address_is_the_development_public_address(monkeypatch):
    from meetingapp.config import resolve_public_url

    monkeypatch.setenv("FLASK_RUN_PORT", "8093")
    monkeypatch.setenv("FLASK_RUN_HOST", "0.0.0.0")
    assert resolve_public_url({"ENV": "development"}) == "http://127.0.0.1:8093"
    monkeypatch.setenv("FLASK_RUN_HOST", "localhost")
    assert resolve_public_url({"ENV": "development"}) == "http://localhost:8093"


@pytest.mark.parametrize("target", ["run", "test-sqlite", "test-postgres"])
def test_run_and_test_install_the_system_packages_first(target):
    plan = _make("-n", target).stdout
    assert "scripts/install-system-deps.sh" in plan
    if target.startswith("test"):
        assert "scripts/install-browser.sh" in plan
    assert plan.index("install-system-deps.sh") < plan.index("pytest" if target.startswith(
        "test") else "flask run")


def test_without_root_a_missing_package_stops_with_one_line_naming_the_command(tmp_path):
    env = _fresh_machine(tmp_path, uid=1000)
    result = _make("needs-system-deps", env=env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert len(lines) == 1 and "sudo make system-deps" in lines[0], result.stderr
    assert "fonts-noto-core" in lines[0]
    assert not (tmp_path / "apt.log").exists()

    browser = _make("needs-browser", f"CHROMIUM={tmp_path}/no-chromium", env=env)
    assert browser.returncode != 0
    lines = [line for line in browser.stderr.splitlines() if not line.startswith("make")]
    assert len(lines) == 1 and "sudo make browser" in lines[0], browser.stderr


def test_as_root_what_is_missing_is_installed(tmp_path):
    env = _fresh_machine(tmp_path, uid=0)
    result = _make("needs-system-deps", env=env)
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "apt.log").read_text()
    assert "install" in log and "fonts-noto-cjk" in log and "poppler-utils" in log


def test_make_run_installs_only_what_the_application_needs(tmp_path):
    """``make run`` wants Pango and the fonts, not the tests' Java, poppler or Node."""
    plan = _make("-n", "run").stdout
    assert "install-system-deps.sh --runtime" in plan
    env = _fresh_machine(tmp_path, uid=0)
    result = _make("needs-runtime-deps", env=env)
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "apt.log").read_text()
    assert "fonts-noto-cjk" in log and "libpango-1.0-0" in log
    assert "poppler-utils" not in log and "default-jre-headless" not in log
    assert "nodejs" not in log and "npm ci" not in result.stdout + result.stderr
