"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, schema, broker).

Both are cheap JSON for load balancers and orchestrators: no sign-in, no
rate limit, no session cookie, never cached. ``/readyz`` runs ``SELECT 1``,
compares the database's Alembic revision with the migration scripts' head
(read from disk once per process) and pings the broker and the rate-limit
storage when they are Redis; a failure answers 503 and says which check
failed, without internal details (those go to the log). A rate-limit storage
that does not answer only degrades the app (limits are then counted per
process): ``/readyz`` still answers 200, with status "degraded" and the
dependency named in ``degraded``, so a load balancer keeps sending traffic.
"""

import threading

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, has_request_context, jsonify, request

from .extensions import db, limiter

bp = Blueprint("health", __name__)
limiter.exempt(bp)

_heads_lock = threading.Lock()
_script_heads: dict[str, frozenset[str]] = {}


def script_heads(directory: str) -> frozenset[str]:
    """The head revision(s) of the migration scripts in ``directory`` (cached per process)."""
    with _heads_lock:
        if directory not in _script_heads:
            config = AlembicConfig()
            config.set_main_option("script_location", directory)
            _script_heads[directory] = frozenset(ScriptDirectory.from_config(config).get_heads())
        return _script_heads[directory]


def is_probe() -> bool:
    """Whether this request is a health probe (which must touch nothing else)."""
    return has_request_context() and request.blueprint == bp.name


_probe_lock = threading.Lock()


def check_database() -> tuple[str, str]:
    """``(database, migrations)``, answered within HEALTH_CHECK_TIMEOUT seconds.

    A database that accepts connections but never answers would hold the probe until the
    connect or statement timeout; the probe runs in a thread instead, and "timeout" is the
    answer when it has not finished in time. At most one such thread waits per app: while
    it does, the next probes answer "timeout" at once."""
    app = current_app._get_current_object()
    timeout = float(app.config.get("HEALTH_CHECK_TIMEOUT") or 1.5)
    state = app.extensions.setdefault("meetingapp.health.probe", {})
    with _probe_lock:
        waiting = state.get("thread")
        if waiting is not None and waiting.is_alive():
            return "timeout", "unknown"
        result: dict = {}
        thread = threading.Thread(target=_probe_in_thread, args=(app, result),
                                  name="readyz-database", daemon=True)
        state["thread"] = thread
        thread.start()
    thread.join(timeout)
    if thread.is_alive():
        app.logger.warning("Readiness: the database did not answer within %s s.", timeout)
        return "timeout", "unknown"
    return result.get("checks", ("error", "unknown"))


def _probe_in_thread(app: Flask, result: dict) -> None:
    with app.app_context():
        result["checks"] = probe_database()


def probe_database() -> tuple[str, str]:
    """``(database, migrations)`` results: "ok" or what is wrong."""
    # A raw DBAPI connection: no ORM session, and on SQLite no BEGIN IMMEDIATE
    # (meetingapp/database.py) that would queue the probe behind a writer.
    try:
        connection = db.engine.raw_connection()
    except Exception:  # noqa: BLE001
        current_app.logger.warning("Readiness: the database is unreachable.", exc_info=True)
        return "unreachable", "unknown"
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        except Exception:  # noqa: BLE001
            current_app.logger.warning("Readiness: SELECT 1 failed.", exc_info=True)
            return "error", "unknown"
        try:
            cursor.execute("SELECT version_num FROM alembic_version")
            current = frozenset(row[0] for row in cursor.fetchall())
        except Exception:  # noqa: BLE001
            return "ok", "not applied (run flask db upgrade)"
        finally:
            cursor.close()
    finally:
        connection.close()
    heads = script_heads(current_app.extensions["migrate"].directory)
    if current == heads:
        return "ok", "ok"
    shown = ", ".join(sorted(current)) or "none"
    return "ok", f"at {shown}, expected {', '.join(sorted(heads))} (run flask db upgrade)"


def _redis_client(url: str):
    clients = current_app.extensions.setdefault("meetingapp.health.redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return clients[url]


def check_broker(url: str) -> str:
    """"ok" if the Celery broker at ``url`` answers."""
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            _redis_client(url).ping()
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=2) as connection:
                connection.ensure_connection(max_retries=1)
    except Exception:  # noqa: BLE001
        current_app.logger.warning("Readiness: the broker is unreachable.", exc_info=True)
        return "unreachable"
    return "ok"


# Checks whose failure loosens a feature but leaves the app able to serve.
DEGRADABLE_CHECKS = frozenset({"ratelimit_storage"})


def check_ratelimit_storage() -> str:
    """"ok" if the shared rate-limit storage answers (without it limits count per process)."""
    try:
        if limiter.storage.check():
            return "ok"
    except Exception:  # noqa: BLE001
        current_app.logger.warning("Readiness: the rate-limit storage failed.", exc_info=True)
    return "unreachable"


def _json(payload: dict, status: int):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
def healthz():
    """The process is alive and answers; touches nothing else."""
    return _json({"status": "ok"}, 200)


@bp.route("/readyz")
def readyz():
    """The database answers, the schema is at the migrations' head, the broker answers."""
    config = current_app.config
    checks = {}
    checks["database"], checks["migrations"] = check_database()
    if config.get("CELERY_BROKER_URL"):
        checks["broker"] = check_broker(str(config["CELERY_BROKER_URL"]))
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if config.get("RATELIMIT_ENABLED", True) and not storage.startswith("memory://"):
        checks["ratelimit_storage"] = check_ratelimit_storage()
    failed = sorted(name for name, value in checks.items() if value != "ok")
    degraded = [name for name in failed if name in DEGRADABLE_CHECKS]
    if len(degraded) < len(failed):
        return _json({"status": "unavailable", "checks": checks}, 503)
    if degraded:
        return _json({"status": "degraded", "checks": checks, "degraded": degraded}, 200)
    return _json({"status": "ok", "checks": checks}, 200)
