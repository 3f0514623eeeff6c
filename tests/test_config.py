"""Configuration layers and the production safety checks."""

import subprocess
import sys

import pytest

from meetingapp import ConfigurationError, create_app
from meetingapp.config import DEVELOPMENT_SECRET_KEY, normalise_database_url

ROOT = __file__.rsplit("/tests/", 1)[0]


def test_embedded_default_is_sqlite_in_instance_folder(monkeypatch):
    for name in ("DATABASE_URL", "MEETINGAPP_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "sqlite:///" + app.instance_path + "/meetingapp.sqlite3")


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("MEETINGAPP_PER_PAGE", "7")
    monkeypatch.setenv("MEETINGAPP_SECRETARIAT_EMAIL", "ctc@example.org")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/meet")
    app = create_app()
    assert app.config["PER_PAGE"] == 7
    assert app.config["SECRETARIAT_EMAIL"] == "ctc@example.org"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/meet"


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("SECRETARIAT_NAME = 'From the instance file'\n")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    app = create_app()
    assert app.config["SECRETARIAT_NAME"] == "From the instance file"
    monkeypatch.setenv("MEETINGAPP_SECRETARIAT_NAME", "From the environment")
    assert create_app().config["SECRETARIAT_NAME"] == "From the environment"


@pytest.mark.parametrize("key", [None, DEVELOPMENT_SECRET_KEY, "short"])
def test_production_refuses_weak_secret_key(key):
    config = {"ENV": "production", "SECRET_KEY": key}
    with pytest.raises(ConfigurationError, match="MEETINGAPP_SECRET_KEY"):
        create_app(config)


def test_production_refuses_debug():
    with pytest.raises(ConfigurationError, match="debug"):
        create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "DEBUG": True})


def test_production_cookies_are_secure():
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "MAIL_BACKEND": "smtp",
                      "PUBLIC_URL": "https://meetings.example.org"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_wsgi_without_secret_key_in_production_says_so_in_one_line(tmp_path):
    env = {"MEETINGAPP_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "MEETINGAPP_SECRET_KEY" in lines[0]


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


@pytest.mark.parametrize("raw, expected", [("False", False), ("no", False), ("0", False),
                                           ("TRUE", True), ("yes", True)])
def test_boolean_settings_from_the_environment_mean_what_they_say(monkeypatch, raw, expected):
    monkeypatch.setenv("MEETINGAPP_MAIL_USE_TLS", raw)
    assert create_app().config["MAIL_USE_TLS"] is expected


def test_numeric_looking_secrets_stay_text_and_bad_values_are_refused(monkeypatch):
    monkeypatch.setenv("MEETINGAPP_MAIL_PASSWORD", "123456")
    monkeypatch.setenv("MEETINGAPP_MAIL_PORT", "587")
    config = create_app().config
    assert config["MAIL_PASSWORD"] == "123456" and config["MAIL_PORT"] == 587
    monkeypatch.setenv("MEETINGAPP_MAIL_USE_SSL", "maybe")
    with pytest.raises(ConfigurationError, match="MEETINGAPP_MAIL_USE_SSL must be true or false"):
        create_app()


def test_an_sqlite_too_old_for_the_check_in_desk_is_refused_in_one_line():
    from meetingapp.config import ConfigurationError, check_sqlite_version

    check_sqlite_version((3, 35, 0))
    check_sqlite_version((3, 46, 1))
    with pytest.raises(ConfigurationError, match=r"SQLite 3\.31\.1 is too old"):
        check_sqlite_version((3, 31, 1))


PRODUCTION = {"ENV": "production", "SECRET_KEY": "x" * 40, "MAIL_BACKEND": "smtp"}


def test_production_refuses_to_start_without_a_public_address():
    with pytest.raises(ConfigurationError, match="MEETINGAPP_PUBLIC_URL"):
        create_app(dict(PRODUCTION))
    with pytest.raises(ConfigurationError, match="MEETINGAPP_PUBLIC_URL"):
        create_app(dict(PRODUCTION, PUBLIC_URL="   "))
    app = create_app(dict(PRODUCTION, PUBLIC_URL="https://Meetings.Example.org/sm/"))
    assert app.config["PUBLIC_URL"] == "https://meetings.example.org/sm"


def test_wsgi_without_public_address_in_production_says_so_in_one_line():
    env = {"MEETINGAPP_ENV": "production", "MEETINGAPP_SECRET_KEY": "y" * 40,
           "MEETINGAPP_MAIL_BACKEND": "smtp", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "MEETINGAPP_PUBLIC_URL" in lines[0]


def test_public_address_defaults_to_the_served_address_in_development(monkeypatch):
    monkeypatch.delenv("MEETINGAPP_PUBLIC_URL", raising=False)
    monkeypatch.delenv("FLASK_RUN_HOST", raising=False)
    monkeypatch.delenv("FLASK_RUN_PORT", raising=False)
    assert create_app().config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("FLASK_RUN_PORT", "8080")
    assert create_app().config["PUBLIC_URL"] == "http://127.0.0.1:8080"
    monkeypatch.setenv("MEETINGAPP_PUBLIC_URL", "https://meetings.example.org")
    assert create_app().config["PUBLIC_URL"] == "https://meetings.example.org"


@pytest.mark.parametrize("value, expected", [
    ("https://meetings.example.org/", "https://meetings.example.org"),
    ("HTTPS://Meetings.Example.org:8443/Special/", "https://meetings.example.org:8443/Special"),
    ("https://会议.example.org", "https://xn--6oqu09l.example.org"),
    ("https://مثال.example", "https://xn--mgbh0fb.example"),
    ("http://[::1]:5000", "http://[::1]:5000"),
])
def test_public_address_is_normalised(value, expected):
    app = create_app(dict(PRODUCTION, PUBLIC_URL=value))
    assert app.config["PUBLIC_URL"] == expected


@pytest.mark.parametrize("value", [
    "meetings.example.org",                       # no scheme
    "javascript:alert(1)//",
    "ftp://meetings.example.org",
    "https://",
    "https://user:secret@meetings.example.org",
    "https://meetings.example.org/?next=evil",
    "https://meetings.example.org/#x",
    "https://meetings.example.org\r\nX-Evil: 1",
    "https://exa mple.org",
    "https://<script>alert(1)</script>",
    "https://" + "a" * 300 + ".org",
    "https://meetings.example.org:99999",
    "https://\u202eevil.example",                 # right-to-left override
    42,
])
def test_public_address_that_cannot_be_used_is_refused_in_one_line(value):
    with pytest.raises(ConfigurationError, match="MEETINGAPP_PUBLIC_URL") as refused:
        create_app(dict(PRODUCTION, PUBLIC_URL=value))
    assert "\n" not in str(refused.value)
