"""Shared pieces of the HTTP benchmarks: throw-away PostgreSQL databases,
synthetic data loaded with SQLAlchemy Core bulk inserts, a gunicorn server
(the project's gunicorn.conf.py, production settings) and a small threaded
load generator (http.client over loopback).

Not part of the test suite; run through ``make bench`` (benchmarks/run.py),
``benchmarks/soak.py`` and ``benchmarks/quota_http.py``.
"""

import hashlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
PY = sys.executable
PASSWORD = "bench-password-2003"
STAFF_EMAIL = "bench-staff@example.org"
DESK_EMAIL = "bench-desk@example.org"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def pg_url(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def pgtestdb(action: str, name: str) -> None:
    subprocess.run([PY, os.path.join(ROOT, "scripts", "pgtestdb.py"), action, name],
                   check=True, cwd=ROOT)


@contextmanager
def throwaway_database(prefix: str):
    """A fresh PostgreSQL database, migrated; dropped on the way out whatever happens."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    pgtestdb("create", name)
    try:
        env = server_env(pg_url(name))
        subprocess.run([PY, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield name
    finally:
        pgtestdb("drop", name)


SECRET_KEY = secrets.token_urlsafe(48)


def server_env(database_url: str, **extra) -> dict:
    """Production settings: generated secret key, SMTP to a closed port, manual delivery."""
    env = dict(os.environ)
    env.update({
        "MEETINGAPP_ENV": "production",
        "MEETINGAPP_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "MEETINGAPP_MAIL_BACKEND": "smtp",
        "MEETINGAPP_PUBLIC_URL": "http://127.0.0.1",
        "MEETINGAPP_MAIL_SERVER": "127.0.0.1",
        "MEETINGAPP_MAIL_PORT": "9",  # discard: nothing listens there
        "MEETINGAPP_MAIL_DELIVERY": "manual",
        "MEETINGAPP_RATELIMIT_ENABLED": "false",
        "MEETINGAPP_BENCHMARK_ROUTES": "true",
        "MEETINGAPP_LOG_LEVEL": "WARNING",
        "MEETINGAPP_JOBS_SYNC": "true",
        "FLASK_APP": "wsgi",
    })
    env.update(extra)
    return env


def make_app(database_url: str, **overrides):
    """The app in this process (for counting queries), with the server's settings."""
    os.environ.update({k: v for k, v in server_env(database_url).items()
                       if k.startswith("MEETINGAPP_") or k == "DATABASE_URL"})
    from baseline_app import create_benchmark_app
    return create_benchmark_app(overrides)


# ---------------------------------------------------------------- synthetic data

@dataclass
class Dataset:
    """What the load generator needs to know about the loaded rows."""

    meeting_id: int
    invitation_tokens: list[str] = field(default_factory=list)
    feed_tokens: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    pending_ids: list[int] = field(default_factory=list)
    approved_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _token(kind: str, n: int) -> str:
    salt = hashlib.sha256(f"{kind}{n}{SECRET_KEY}".encode()).hexdigest()[:24]
    return f"bench{kind}{n:09d}{salt}"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load(app, organisations: int, meetings: int, per_org: int, quota: int | None = None
         ) -> Dataset:
    """Bulk-insert ``meetings`` meetings, each inviting every one of ``organisations``
    organisations with ``per_org`` delegates (60% approved, 40% pending); the quota
    of a delegation is ``quota`` (default ``per_org``)."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from meetingapp.badges.codes import derive_code, hash_code
    from meetingapp.extensions import db
    from meetingapp.models import CalendarFeed, CheckinCode, Invitation, Meeting, Organisation, User
    from meetingapp.models.ordering import sort_keys
    from meetingapp.models.registration import Delegate
    from meetingapp.text import fold

    now = datetime.now(UTC).replace(microsecond=0)
    kinds = ("international", "regional", "sub-regional")
    roles = ("head", "delegate", "delegate", "adviser", "observer")
    with app.app_context():
        conn = db.session.connection()
        pw = generate_password_hash(PASSWORD, method="scrypt")
        conn.execute(insert(User), [
            dict(id=1, email=STAFF_EMAIL, name="Bench staff", password_hash=pw, role="staff",
                 active=True, session_version=1, created_at=now),
            dict(id=2, email=DESK_EMAIL, name="Bench desk", password_hash=pw, role="checkin",
                 active=True, session_version=1, created_at=now)])
        orgs = []
        for o in range(1, organisations + 1):
            name = f"Regional Organisation for Counter-Terrorism Co-operation No. {o:05d}"
            orgs.append(dict(id=o, name=name, name_key=fold(name), acronym=f"ROC{o}",
                             kind=kinds[o % 3], region="", website="", notes="", active=True,
                             search_key=fold(f"{name} ROC{o}"), created_at=now, updated_at=now))
        conn.execute(insert(Organisation), orgs)
        org_rows = {row["id"]: SimpleNamespace(kind=row["kind"], name_key=row["name_key"])
                    for row in orgs}
        conn.execute(insert(Meeting), [dict(
            id=m, title=f"Special Meeting No. {m} of the Counter-Terrorism Committee", number=m,
            description="", venue="United Nations Headquarters", address="",
            timezone="America/New_York", starts_at=now + timedelta(days=30 + m),
            ends_at=now + timedelta(days=30 + m, hours=8),
            registration_opens_at=now - timedelta(days=10),
            registration_closes_at=now + timedelta(days=20),
            delegates_per_organisation=quota or per_org,
            status="open", sequence=0, created_at=now, updated_at=now)
            for m in range(1, meetings + 1)])
        data = Dataset(meeting_id=1)
        invs, dels, codes, feeds = [], [], [], []
        inv_id = del_id = 0
        for m in range(1, meetings + 1):
            for o in range(1, organisations + 1):
                inv_id += 1
                token = _token("inv", inv_id)
                invs.append(dict(id=inv_id, meeting_id=m, organisation_id=o, status="accepted",
                                 email=f"focal{o}@example.org", cc="", token_hash=_sha(token),
                                 token_issued_at=now, decline_reason="", reminder_count=0,
                                 created_at=now, sent_at=now, responded_at=now,
                                 last_activity_at=now))
                if m == 1:
                    data.invitation_tokens.append(token)
                    data.organisation_ids.append(o)
                for k in range(per_org):
                    del_id += 1
                    approved = (del_id % 5) < 3
                    email = f"d{del_id}@org{o}.example.org"
                    dels.append(dict(
                        id=del_id, meeting_id=m, invitation_id=inv_id, role=roles[k % 5]
                        if k else "head", title="Ms.", given_name=f"Given{del_id}",
                        family_name=f"Family{del_id}", position="Counsellor", email=email,
                        email_key=email, phone="", nationality="FR",
                        language="en", attendance="in_person", needs="",
                        consent_to_publish=True, status="approved" if approved else "pending",
                        decision_reason="", decided_at=now if approved else None,
                        decided_by_id=1 if approved else None,
                        token_hash=_sha(_token("del", del_id)), token_issued_at=now,
                        created_at=now, updated_at=now))
                    if k == 0:  # only one head per invitation
                        pass
                    elif dels[-1]["role"] == "head":
                        dels[-1]["role"] = "delegate"
                    dels[-1].update(sort_keys(org_rows[o], dels[-1]["role"]))
                    if approved:
                        seed = secrets.token_hex(16)
                        code = derive_code(seed)
                        codes.append(dict(delegate_id=del_id, seed=seed, code_hash=hash_code(code),
                                          generation=1, issued_at=now))
                        ftoken = _token("feed", del_id)
                        feeds.append(dict(delegate_id=del_id, token_hash=_sha(ftoken),
                                          issued_at=now, created_at=now))
                        if m == 1:
                            data.codes.append(code)
                            data.feed_tokens.append(ftoken)
                            data.approved_ids.append(del_id)
                    elif m == 1:
                        data.pending_ids.append(del_id)
        for table, rows in ((Invitation, invs), (Delegate, dels), (CheckinCode, codes),
                            (CalendarFeed, feeds)):
            for i in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[i:i + 5000])
        for table in ("users", "organisations", "meetings", "invitations", "delegates"):
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))")
        db.session.commit()
        # VACUUM ANALYZE, as autovacuum does within a minute or two of a bulk load:
        # statistics, and the visibility map that index-only scans rely on (without
        # it the figures change while a run is in progress, when autovacuum comes).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        data.counts = dict(organisations=organisations, meetings=meetings,
                           delegates=len(dels), meeting1_delegates=organisations * per_org)
    # Shuffle deterministically so that consecutive requests touch different rows.
    import random
    rnd = random.Random(2003)
    for lst in (data.invitation_tokens, data.feed_tokens, data.codes, data.pending_ids):
        rnd.shuffle(lst)
    return data


# ---------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workers: int = 2, log_path: str | None = None):
    """gunicorn -c gunicorn.conf.py on a free loopback port; yields the port."""
    port = free_port()
    env = server_env(database_url, GUNICORN_BIND=f"127.0.0.1:{port}",
                     GUNICORN_WORKERS=str(workers), GUNICORN_ACCESSLOG="/dev/null",
                     GUNICORN_LOGLEVEL="warning", GUNICORN_MAX_REQUESTS="0")
    log = open(log_path or os.devnull, "ab")
    proc = subprocess.Popen(
        [os.path.join(os.path.dirname(PY), "gunicorn"), "-c", "gunicorn.conf.py",
         "--pythonpath", os.path.join(ROOT, "benchmarks"), "baseline_app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.time() + 30
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"gunicorn did not start (log: {log_path})")
            time.sleep(0.2)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# ---------------------------------------------------------------- HTTP client

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Client:
    """One keep-alive connection with its own cookies (a browser tab, roughly)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = None
        self.csrf = ""

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None):
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        hdrs = {"Host": f"127.0.0.1:{self.port}"}
        if body is not None:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                k, _, v = value.split(";", 1)[0].partition("=")
                self.cookies[k.strip()] = v.strip()
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return resp.status, data

    def fetch_csrf(self, path: str) -> str:
        status, data = self.request("GET", path)
        match = _CSRF.search(data.decode("utf-8", "replace"))
        if not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        self.csrf = match.group(1) or match.group(2)
        return self.csrf

    def login(self, email: str, csrf_path: str) -> None:
        token = self.fetch_csrf("/login")
        status, _ = self.request("POST", "/login", {"csrf_token": token, "email": email,
                                                    "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login failed for {email}: {status}")
        self.fetch_csrf(csrf_path)  # the CSRF token of the signed-in session


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    statuses: dict

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50) * 1000

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95) * 1000


def drive(clients: list[Client], make_request, seconds: float, ok=(200, 302)) -> Result:
    """Each client sends ``make_request(client, n)`` (-> method, path, form) back to back
    for ``seconds``; the throughput and latencies of all of them."""
    latencies, statuses, errors, counter = [], {}, [0], [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(client):
        while time.perf_counter() < stop:
            with lock:
                n = counter[0]
                counter[0] += 1
            method, path, form, *headers = make_request(client, n)
            t0 = time.perf_counter()
            try:
                status, _ = client.request(method, path, form, *headers)
            except OSError:
                status = 0
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                statuses[status] = statuses.get(status, 0) + 1
                if status not in ok:
                    errors[0] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(len(latencies), errors[0], time.perf_counter() - start, latencies, statuses)
