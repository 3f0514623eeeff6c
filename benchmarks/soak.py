"""A bounded soak: ~2 minutes, 50 concurrent clients mixing the benchmarked requests.

On a throw-away PostgreSQL database with the small data set (3,000 delegates
of 300 organisations; quota 20, so there is room to register), gunicorn
(gunicorn.conf.py, production settings, 4 workers) serves 50 clients over
loopback. Each client repeats a weighted mix: invitation page, registration
list (first and filtered page), approving a pending registration, a check-in
scan, the meeting .ics, a delegate's feed, a badge PDF and registering a new
delegate through the representative's link. Afterwards it asserts that no
request failed, and that the database holds exactly what the answers said:
one delegate per successful registration (none lost, none twice), one
check-in per badge answered "checked in", every approved id approved once.

    .venv/bin/python benchmarks/soak.py [--seconds 120] [--clients 50] [--workers 4]
"""

import argparse
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib  # noqa: E402
from benchlib import DESK_EMAIL, STAFF_EMAIL, Client  # noqa: E402

MIX = (("invitation", 20), ("list", 8), ("filtered", 8), ("approve", 10), ("scan", 20),
       ("ics", 8), ("feed", 15), ("badge", 2), ("register", 9))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    names = [n for n, _ in MIX]
    weights = [w for _, w in MIX]
    lock = threading.Lock()
    seen = {"statuses": {}, "errors": [], "registered": set(), "checked_in": set(),
            "already": set(), "approved": set(), "requests": 0}
    counter = [0]

    with benchlib.throwaway_database("bench_soak") as name:
        url = benchlib.pg_url(name)
        app = benchlib.make_app(url)
        data = benchlib.load(app, organisations=300, meetings=1, per_org=10, quota=20)
        code_owner = {}
        with app.app_context():
            from meetingapp.badges.codes import hash_code
            from meetingapp.extensions import db
            by_hash = dict(db.session.execute(db.text(
                "SELECT code_hash, delegate_id FROM checkin_codes")).all())
            code_owner = {code: by_hash[hash_code(code)] for code in data.codes}
        log = f"/tmp/bench-soak-gunicorn-{os.getpid()}.log"
        with benchlib.gunicorn(url, workers=args.workers, log_path=log) as port:
            staff, desk, anon = Client(port), Client(port), Client(port)
            staff.login(STAFF_EMAIL, "/meetings/1/registrations/")
            desk.login(DESK_EMAIL, "/checkin/1")
            anon.fetch_csrf(f"/i/{data.invitation_tokens[0]}/delegates/new")
            stop = time.perf_counter() + args.seconds

            def one(kind: str, n: int, clients: dict):
                c = clients
                if kind == "invitation":
                    return c["anon"], "GET", f"/i/{data.invitation_tokens[n % 300]}", None, {}
                if kind == "list":
                    return c["staff"], "GET", "/meetings/1/registrations/", None, {}
                if kind == "filtered":
                    return (c["staff"], "GET", f"/meetings/1/registrations/?status=pending"
                            f"&kind=regional&page={1 + n % 3}", None, {})
                if kind == "approve":
                    d = data.pending_ids[n % len(data.pending_ids)]
                    return (c["staff"], "POST", f"/meetings/1/registrations/{d}/approve",
                            {"csrf_token": c["staff"].csrf}, {"id": d})
                if kind == "scan":
                    code = data.codes[n % len(data.codes)]
                    return (c["desk"], "POST", "/checkin/1/scan",
                            {"csrf_token": c["desk"].csrf, "code": code},
                            {"code": code, "headers": {"Accept": "application/json"}})
                if kind == "ics":
                    return c["staff"], "GET", "/meetings/1/calendar.ics", None, {}
                if kind == "feed":
                    return c["anon"], "GET", f"/feed/{data.feed_tokens[n % 1800]}.ics", None, {}
                if kind == "badge":
                    d = data.approved_ids[n % len(data.approved_ids)]
                    return (c["staff"], "POST", "/meetings/1/badges/print",
                            {"csrf_token": c["staff"].csrf, "one": str(d), "layout": "card"}, {})
                email = f"soak{n}@example.org"
                token = data.invitation_tokens[n % 300]
                return (c["anon"], "POST", f"/i/{token}/delegates/new", {
                    "csrf_token": c["anon"].csrf, "role": "observer", "family_name": f"Soak{n}",
                    "position": "Counsellor", "email": email, "nationality": "FR",
                    "language": "en", "attendance": "in_person"}, {"email": email})

            def worker(seed: int):
                rnd = random.Random(seed)
                clients = {"staff": Client(port), "desk": Client(port), "anon": Client(port)}
                # Share the signed-in sessions (cookies and CSRF), one connection each.
                for key, source in (("staff", staff), ("desk", desk), ("anon", anon)):
                    clients[key].cookies = dict(source.cookies)
                    clients[key].csrf = source.csrf
                while time.perf_counter() < stop:
                    kind = rnd.choices(names, weights)[0]
                    with lock:
                        n = counter[0]
                        counter[0] += 1
                    client, method, path, form, extra = one(kind, rnd.randrange(10**6) * 1000 + n
                                                            if kind == "register" else n, clients)
                    try:
                        status, body = client.request(method, path, form, extra.get("headers"))
                    except OSError as error:
                        status, body = 0, str(error).encode()
                    with lock:
                        seen["requests"] += 1
                        key = (kind, status)
                        seen["statuses"][key] = seen["statuses"].get(key, 0) + 1
                        expected = {"approve": (302,), "scan": (200,), "register": (302, 409)}
                        if status not in expected.get(kind, (200,)):
                            seen["errors"].append((kind, path, status, body[:200]))
                        elif kind == "register" and status == 302:
                            if extra["email"] in seen["registered"]:
                                seen["errors"].append(("register twice", extra["email"]))
                            seen["registered"].add(extra["email"])
                        elif kind == "approve":
                            seen["approved"].add(extra["id"])
                        elif kind == "scan":
                            result = json.loads(body)["answer"]["result"]
                            target = {"checked_in": "checked_in",
                                      "already_checked_in": "already"}.get(result)
                            if target is None:
                                seen["errors"].append(("scan", result))
                            else:
                                seen[target].add(extra["code"])

            began = time.perf_counter()
            threads = [threading.Thread(target=worker, args=(s,)) for s in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - began
        problems = list(seen["errors"])
        with app.app_context():
            from meetingapp.extensions import db
            q = db.session.execute
            emails = [e for (e,) in q(db.text(
                "SELECT email FROM delegates WHERE email LIKE 'soak%'")).all()]
            if sorted(emails) != sorted(seen["registered"]):
                problems.append(("registrations", len(emails), len(seen["registered"])))
            checkins = [d for (d,) in q(db.text(
                "SELECT delegate_id FROM checkins WHERE undone_at IS NULL")).all()]
            expected = sorted(code_owner[c] for c in seen["checked_in"])
            if sorted(checkins) != expected:
                problems.append(("check-ins", len(checkins), len(expected)))
            if seen["already"] - seen["checked_in"]:
                problems.append(("already without check-in", len(seen["already"]
                                                                  - seen["checked_in"])))
            approved = {d for (d,) in q(db.text(
                "SELECT id FROM delegates WHERE status = 'approved'")).all()}
            if not seen["approved"] <= approved:
                problems.append(("approvals lost", len(seen["approved"] - approved)))
            over = q(db.text(
                "SELECT i.id FROM invitations i JOIN delegates d ON d.invitation_id = i.id "
                "WHERE d.status IN ('pending', 'approved') GROUP BY i.id "
                "HAVING count(*) > 20")).all()
            if over:
                problems.append(("quota exceeded", len(over)))
            db.engine.dispose()
    print(f"{seen['requests']} requests in {elapsed:.0f} s ({seen['requests'] / elapsed:.1f}/s)"
          f" by {args.clients} clients")
    for (kind, status), count in sorted(seen["statuses"].items()):
        print(f"  {kind:10s} {status}: {count}")
    print(f"registered {len(seen['registered'])}, checked in {len(seen['checked_in'])}, "
          f"approved {len(seen['approved'])}")
    for problem in problems[:20]:
        print("PROBLEM", problem)
    print("soak: no errors, no lost or duplicated rows" if not problems else
          f"soak FAILED: {len(problems)} problems")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
