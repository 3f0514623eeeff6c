"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be changed from the environment (GUNICORN_*), so the same
file serves a laptop check and a production host. Logs go to stdout: one
access line per request with its request id (the X-Request-ID the app sends
back), personal-link tokens redacted (meetingapp.request_log.GunicornLogger).
"""

import multiprocessing
import os
import sys


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Where to listen: behind a reverse proxy on the same host, loopback is enough.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Worker processes: 2 x cores + 1 (gunicorn's rule of thumb for sync workers).
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = _int("GUNICORN_THREADS", 1)

# A request still running after this many seconds is killed with its worker;
# large files are made by background jobs, so requests stay short.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then, at different times, so that no slow leak builds up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# The app (werkzeug ProxyFix, MEETINGAPP_TRUSTED_PROXIES) decides which
# X-Forwarded-* headers to trust; gunicorn must not act on them on its own.
secure_scheme_headers = {}
forwarded_allow_ips = ""

# Logs: access and errors on stdout, secrets redacted, the request id on each line.
logger_class = "meetingapp.request_log.GunicornLogger"
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = (
    '%(h)s [%({x-request-id}o)s] "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
)

# Heartbeat files in memory, not on a possibly slow disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def on_starting(server) -> None:
    """Refuse a bad configuration in the master, once, before binding or forking: a worker
    that exits instead would only be started again, forever."""
    from meetingapp.config import ConfigurationError, check_configuration

    try:
        check_configuration()
    except ConfigurationError as error:
        if server.pidfile is not None:
            server.pidfile.unlink()
        print(f"meetingapp: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
