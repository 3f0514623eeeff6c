"""Configuration: built-in defaults, then ``instance/config.py``, then the environment.

Every setting can be given as an environment variable with the ``MEETINGAPP_``
prefix (``MEETINGAPP_SECRET_KEY``, ``MEETINGAPP_MAIL_SERVER``, ...); values
that parse as JSON (numbers, ``true``/``false``) are taken as such.
``DATABASE_URL`` is honoured without the prefix too, as hosting platforms set it.
"""

import os

from flask import Flask

# Known-insecure key for the embedded default only; production refuses it.
DEVELOPMENT_SECRET_KEY = "development-key-not-for-production"


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says how to fix it."""


class DefaultConfig:
    # "development" (embedded default), "production" or "testing".
    ENV = "development"
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
    DATABASE_URL = None  # None: a SQLite file in the instance folder.

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # PostgreSQL: seconds to wait for a connection (libpq's connect_timeout, at least 2), and
    # for one statement (the server's statement_timeout; 0: no limit), so that a database that
    # hangs fails a request soon instead of holding a worker.
    DATABASE_CONNECT_TIMEOUT = 2
    DATABASE_STATEMENT_TIMEOUT = 30
    # Seconds /readyz waits for the database before answering 503 "timeout".
    HEALTH_CHECK_TIMEOUT = 1.5
    SQLALCHEMY_RECORD_QUERIES = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # forced on in production
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # "Keep me signed in": how long the remember-me cookie lasts, in seconds.
    REMEMBER_COOKIE_DURATION = 7 * 24 * 3600

    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    # Rate limits (Flask-Limiter). Storage: memory:// or redis://host:port/db.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # When the shared storage (Redis) cannot be reached, limits fail open: each process
    # counts in its own memory (so a limit loosens by the number of workers), a warning is
    # logged, and the storage is tried again now and then (Flask-Limiter's in-memory
    # fallback); any other error of the limiter is logged and the request goes on.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Seconds to wait for a Redis storage before counting in memory (connect and each call).
    RATELIMIT_STORAGE_TIMEOUT = 1
    LOGIN_RATE_LIMIT_PER_ADDRESS = "20 per 10 minutes"
    LOGIN_RATE_LIMIT_PER_ACCOUNT = "5 per 10 minutes"
    # Personal links (meetingapp/links.py): requests with one working link to one kind of
    # page (invitation, delegate page, calendars, ...), counted per link, never per address:
    # delegates sharing a venue's Wi-Fi address do not lock each other out.
    PORTAL_RATE_LIMIT = "60 per minute"
    # Lookups of tokens that match nothing, counted per address; past it, unknown links
    # answer 429, while working links from that address still open.
    PORTAL_FAILED_LINK_LIMIT = "30 per 10 minutes"

    # Registration of delegates: the largest nomination letter (PDF) accepted,
    # in bytes; it must stay below MAX_CONTENT_LENGTH (the whole request).
    NOMINATION_LETTER_MAX_BYTES = 5 * 1024 * 1024

    # The agenda (meetingapp/agenda): publishing a version e-mails the programme (first
    # version) or a summary of its changes to every approved delegate; False: no e-mail.
    AGENDA_NOTIFY_ON_PUBLISH = True

    # The one public address (meetingapp/urls.py): every link in e-mails, calendar files
    # and feeds, and the domain of calendar UIDs, are built from it, never from the
    # request's Host header. Required in production; None elsewhere: SERVER_NAME, else
    # the address `flask run` serves (FLASK_RUN_HOST/FLASK_RUN_PORT, 127.0.0.1:5000).
    PUBLIC_URL = None

    # Calendar invitations (meetingapp/calendars): the host part of the UIDs of meetings
    # created from now on (meeting-<id>@host, item-<id>@host); a meeting keeps the domain
    # it was given. None: the host of PUBLIC_URL.
    CALENDAR_UID_HOST = None

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    PER_PAGE = 25
    SECRETARIAT_NAME = "Secretariat of the Special Meeting"
    SECRETARIAT_EMAIL = "secretariat@example.org"

    # E-mail (meetingapp/mail). Every message goes through the outbox table.
    # Backend: "console" (print + .eml file in MAIL_FILE_DIR) or "smtp".
    MAIL_BACKEND = "console"
    # "after_request": delivered after the commit of the request that queued it;
    # "manual": only `flask mail send`, `flask mail worker` or a task deliver.
    MAIL_DELIVERY = "after_request"
    # True: deliver inside the request; False: in a background thread;
    # None: True when TESTING, else False.
    MAIL_DELIVERY_SYNC = None
    # With background delivery, also look for due retries at most this often
    # (seconds) when any request comes in; 0 turns it off.
    MAIL_POLL_SECONDS = 60
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS on a plain connection (usually port 587)
    MAIL_USE_SSL = False  # TLS from the start (usually port 465)
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_TIMEOUT = 30  # seconds per SMTP operation
    MAIL_LOCAL_HOSTNAME = None  # name given in EHLO; None: this host's name
    MAIL_DEFAULT_SENDER = None  # None: SECRETARIAT_NAME <SECRETARIAT_EMAIL>
    MAIL_MESSAGE_ID_DOMAIN = None  # None: the sender's domain
    MAIL_FILE_DIR = None  # console backend; None: instance/mail
    MAIL_MAX_ATTEMPTS = 10  # then the message is marked failed
    MAIL_RETRY_DELAYS = (1, 5, 15, 60, 240, 720)  # minutes after attempt 1, 2, ...
    # Transient failures (no connection, 4xx) of a message younger than
    # MAIL_TRANSIENT_RETRY_HOURS wait at most MAIL_TRANSIENT_RETRY_MINUTES and do
    # not use up MAIL_MAX_ATTEMPTS: mail catches up minutes after an outage.
    MAIL_TRANSIENT_RETRY_MINUTES = 5
    MAIL_TRANSIENT_RETRY_HOURS = 24
    MAIL_STALE_CLAIM_MINUTES = 10  # a "sending" claim older than this is retried
    MAIL_BATCH_SIZE = 20  # messages claimed at a time
    # Acceptances the database could not record yet; None: instance/mail-accepted.jsonl
    MAIL_ACCEPTED_JOURNAL = None

    # Serving behind a reverse proxy (meetingapp/security.py): how many proxies in
    # front of the app append to X-Forwarded-For and set X-Forwarded-Proto
    # (werkzeug ProxyFix). 0: none; the headers are then ignored, as anyone can send them.
    TRUSTED_PROXIES = 0
    # Content-Security-Policy of every response; None: the built-in strict policy.
    CONTENT_SECURITY_POLICY = None
    # Strict-Transport-Security max-age, sent in production over HTTPS only; 0: never.
    HSTS_SECONDS = 365 * 24 * 3600
    # Level of the application's log lines on stdout (meetingapp/request_log.py).
    LOG_LEVEL = "INFO"

    # Background work (meetingapp/background.py). With a broker URL (redis://host:6379/1),
    # mail delivery and background jobs run on Celery workers; without one, in-process.
    CELERY_BROKER_URL = None
    CELERY_QUEUE = "meetingapp"  # the queue the tasks are sent to and workers read
    CELERY_MAIL_INTERVAL = 60  # seconds between two outbox deliveries by celery beat
    # Further Celery settings by their Celery names, as JSON in the environment:
    # MEETINGAPP_CELERY_OPTIONS='{"broker_transport_options": {"visibility_timeout": 7200}}'
    CELERY_OPTIONS: dict = {}
    # Background jobs (meetingapp/jobs) without a broker: True runs a job right
    # after the commit that started it, before the response; False in a thread of
    # this process; None: True when TESTING. With a broker, only True runs in-process.
    JOBS_SYNC = None
    JOBS_THREADS = 2  # threads per process running jobs when there is no broker
    # A running job silent this long lost its worker (a live one says it is alive at
    # least every 30 seconds): it runs once more, then fails. Minutes; 0: never.
    JOBS_STALE_MINUTES = 3.0
    # Seconds between two job sweeps by celery beat (stalled jobs, jobs never sent).
    JOBS_SWEEP_INTERVAL = 60

    # Badges and the check-in desk (meetingapp/badges, meetingapp/checkin).
    # Key from which badge check-in codes are derived; None: derived from SECRET_KEY.
    # Printed badges keep scanning if it changes (scans look codes up by hash), but
    # printing a badge again then needs its code re-issued.
    CHECKIN_CODE_KEY = None
    # A badge PDF of more badges than this is made as a background job (with progress).
    BADGES_SYNC_LIMIT = 100
    # How long a desk remembers its device label (cookie), in days.
    CHECKIN_DEVICE_COOKIE_DAYS = 365
    # Seconds between two refreshes of the desk's live counters (JavaScript only).
    CHECKIN_COUNTERS_POLL_SECONDS = 15

    DEMO_STAFF_EMAIL = "admin@example.org"
    DEMO_STAFF_PASSWORD = "special-meeting-2003"


def load_config(app: Flask, overrides: dict | None = None) -> None:
    """Fill ``app.config`` layer by layer and check it is safe to run."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("MEETINGAPP")
    _coerce_environment(app.config)
    if overrides:
        app.config.update(overrides)

    url = app.config.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "meetingapp.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    # A failed statement's message names the statement, never its values (names, e-mail
    # addresses, message bodies): those would end up in the log.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True,
                                               **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        check_sqlite_version()
        # Writers wait for each other instead of failing at once.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    else:
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("pool_pre_ping", True)
        options["connect_args"] = postgresql_connect_args(app.config, options.get("connect_args"))
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith(("redis", "rediss", "unix")):
        # A Redis that hangs must not hold every request: give up soon, then count in memory.
        timeout = app.config["RATELIMIT_STORAGE_TIMEOUT"]
        options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
        options.update(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options

    if app.config["ENV"] == "production":
        check_production_config(app.config)
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["PUBLIC_URL"] = resolve_public_url(app.config)


def postgresql_connect_args(config, given: dict | None = None) -> dict:
    """psycopg's connection arguments: an unreachable or hung server fails fast (and /readyz
    says so) instead of hanging; what ``SQLALCHEMY_ENGINE_OPTIONS`` gives is kept."""
    args = dict(given or {})
    args.setdefault("connect_timeout", max(2, int(config["DATABASE_CONNECT_TIMEOUT"])))
    statement_ms = int(float(config["DATABASE_STATEMENT_TIMEOUT"]) * 1000)
    if statement_ms > 0 and "options" not in args:
        args["options"] = f"-c statement_timeout={statement_ms}"
    return args


def check_configuration() -> None:
    """Read the configuration as ``create_app`` does, only to raise ``ConfigurationError``
    early: gunicorn's master calls it before it binds or forks (gunicorn.conf.py)."""
    load_config(Flask("meetingapp", instance_relative_config=True))


# The oldest SQLite the code runs on: INSERT ... ON CONFLICT ... RETURNING (check-in).
MINIMUM_SQLITE = (3, 35, 0)


def check_sqlite_version(version: tuple[int, ...] | None = None) -> None:
    """Refuse, in one line, an SQLite too old for the check-in desk's statements."""
    import sqlite3

    version = version or sqlite3.sqlite_version_info
    if tuple(version) < MINIMUM_SQLITE:
        raise ConfigurationError(
            f"SQLite {'.'.join(map(str, version))} is too old: the check-in desk needs "
            f"{'.'.join(map(str, MINIMUM_SQLITE))} or later (RETURNING). Use a newer Python "
            "or set DATABASE_URL to a PostgreSQL database.")


# Settings that are text even when they look like numbers (a password "123456").
TEXT_SETTINGS = {"SECRET_KEY", "DATABASE_URL", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD",
                 "MAIL_DEFAULT_SENDER", "MAIL_MESSAGE_ID_DOMAIN", "MAIL_LOCAL_HOSTNAME",
                 "MAIL_FILE_DIR", "MAIL_ACCEPTED_JOURNAL", "CHECKIN_CODE_KEY", "CALENDAR_UID_HOST",
                 "CELERY_BROKER_URL", "PUBLIC_URL"}
# Booleans whose default None means "decide for me" (see their comments).
OPTIONAL_BOOL_SETTINGS = {"MAIL_DELIVERY_SYNC", "JOBS_SYNC"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _coerce_environment(config) -> None:
    """Give MEETINGAPP_* values the type of their default, so "False" is not true.

    Flask parses values as JSON where it can; anything else stays a string,
    which for a boolean setting would be truthy whatever it says.
    """
    for name, raw in os.environ.items():
        if not name.startswith("MEETINGAPP_"):
            continue
        key = name[len("MEETINGAPP_"):]
        default = getattr(DefaultConfig, key, None)
        if key in TEXT_SETTINGS or isinstance(default, str):
            config[key] = raw
        elif key in OPTIONAL_BOOL_SETTINGS and raw.strip().lower() in ("null", "none"):
            config[key] = None
        elif isinstance(default, bool) or key in OPTIONAL_BOOL_SETTINGS:
            word = raw.strip().lower()
            if word not in _TRUE | _FALSE:
                raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")
            config[key] = word in _TRUE
        elif isinstance(default, int) and not isinstance(config.get(key), int):
            try:
                config[key] = int(raw)
            except ValueError:
                raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.") from None


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given in the usual forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def resolve_public_url(config) -> str:
    """PUBLIC_URL checked and normalised; outside production it defaults to the served address."""
    from .urls import normalise_public_url

    value = config.get("PUBLIC_URL")
    if value is None or not str(value).strip():
        if config.get("ENV") == "production":
            raise ConfigurationError(
                "Refusing to start in production without a public address: set "
                "MEETINGAPP_PUBLIC_URL to the address people reach the app at "
                "(e.g. https://meetings.example.org); links, calendar UIDs and feeds use it.")
        host = os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
        if host in ("0.0.0.0", "::", "[::]"):  # every interface: this machine's loopback
            host = "127.0.0.1"
        served = config.get("SERVER_NAME") or "{}:{}".format(
            host, os.environ.get("FLASK_RUN_PORT") or "5000")
        value = f"http://{served}"
    try:
        return normalise_public_url(value)
    except ValueError as error:
        raise ConfigurationError(
            f"MEETINGAPP_PUBLIC_URL {str(value)[:200]!r} is not usable: {error}.") from None


def check_production_config(config) -> None:
    """Refuse settings that are only acceptable on a developer's laptop."""
    key = config.get("SECRET_KEY")
    if not key or key == DEVELOPMENT_SECRET_KEY or len(str(key)) < 32:
        raise ConfigurationError(
            "Refusing to start in production: set MEETINGAPP_SECRET_KEY to a random "
            "value of at least 32 characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if config.get("DEBUG"):
        raise ConfigurationError(
            "Refusing to start in production with debug on: unset MEETINGAPP_DEBUG."
        )
    if (config.get("MAIL_BACKEND") or "console") == "console":
        # The console backend sends nothing and prints every message, personal
        # links included, to stdout: in production that is lost mail and
        # secrets in the logs.
        raise ConfigurationError(
            "Refusing to start in production with the console mail backend (it sends "
            "nothing and prints personal links to the log): set MEETINGAPP_MAIL_BACKEND=smtp "
            "and MEETINGAPP_MAIL_SERVER."
        )
