"""50 simultaneous registrations over HTTP against a quota of 5 leave exactly 5.

A throw-away PostgreSQL database holds one open meeting (5 delegates per
organisation) and one accepted invitation with no delegate yet. gunicorn
(gunicorn.conf.py, production settings, 4 workers) serves it; 50 clients,
each with its own session and CSRF token from the form, post their
registration at the same moment (a barrier) through the representative's
link. Exactly 5 must be registered (302) and 45 refused (409), and the
database must hold exactly 5 active delegates for the invitation.

    .venv/bin/python benchmarks/quota_http.py [--clients 50] [--workers 4]
"""

import argparse
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib  # noqa: E402
from benchlib import Client  # noqa: E402

QUOTA = 5


def form(client: Client, n: int) -> dict:
    return {"csrf_token": client.csrf, "role": "delegate", "title": "Ms.",
            "given_name": f"Given{n}", "family_name": f"Family{n}", "position": "Counsellor",
            "email": f"racer{n}@example.org", "phone": "", "nationality": "FR",
            "language": "en", "attendance": "in_person", "needs": "",
            "consent_to_publish": "y"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with benchlib.throwaway_database("bench_quota") as name:
        url = benchlib.pg_url(name)
        app = benchlib.make_app(url)
        data = benchlib.load(app, organisations=1, meetings=1, per_org=0, quota=QUOTA)
        token = data.invitation_tokens[0]
        log = f"/tmp/bench-quota-gunicorn-{os.getpid()}.log"
        with benchlib.gunicorn(url, workers=args.workers, log_path=log) as port:
            clients = [Client(port) for _ in range(args.clients)]
            for c in clients:
                c.fetch_csrf(f"/i/{token}/delegates/new")
            barrier = threading.Barrier(args.clients)
            statuses = [None] * args.clients

            def post(n: int):
                client = clients[n]
                barrier.wait()
                statuses[n] = client.request("POST", f"/i/{token}/delegates/new",
                                             form(client, n))[0]

            threads = [threading.Thread(target=post, args=(n,)) for n in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        with app.app_context():
            from meetingapp.extensions import db
            rows = db.session.execute(db.text(
                "SELECT status, count(*) FROM delegates GROUP BY status")).all()
            active = db.session.scalar(db.text(
                "SELECT count(*) FROM delegates WHERE status IN ('pending', 'approved')"))
            db.engine.dispose()
    registered = statuses.count(302)
    refused = statuses.count(409)
    print(f"{args.clients} simultaneous registrations, quota {QUOTA}: {registered} registered "
          f"(302), {refused} refused (409), others {[s for s in statuses if s not in (302, 409)]};"
          f" database: {dict(rows)}")
    ok = registered == QUOTA and refused == args.clients - QUOTA and active == QUOTA
    print("quota held: exactly 5" if ok else "QUOTA NOT HELD")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
