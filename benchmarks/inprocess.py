"""Cost of one request of each benchmarked route, in-process (no HTTP, no gunicorn).

    .venv/bin/python benchmarks/inprocess.py [--size large] [--requests 60] [--rounds 3] [route ...]

Loads the data set into a throw-away PostgreSQL database (as run.py does) and
sends each route's requests through Flask's test client; prints the best
round's wall time and this process's CPU time per request. On a machine
shared with other work the HTTP figures of run.py swing with the neighbours'
load; the CPU time per request hardly does, and compares two versions fairly.
Each request takes another row (as in run.py), so no cache is hit twice.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib  # noqa: E402
from run import SIZES, routes  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="large", choices=list(SIZES))
    parser.add_argument("--requests", type=int, default=60, help="per round and route")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("route", nargs="*", help="only these routes (default: all)")
    args = parser.parse_args()
    with benchlib.throwaway_database("bench_inprocess") as name:
        app = benchlib.make_app(benchlib.pg_url(name), WTF_CSRF_ENABLED=False)
        data = benchlib.load(app, *SIZES[args.size])
        clients = {}
        for kind, user_id in (("anon", None), ("staff", 1), ("desk", 2)):
            clients[kind] = app.test_client()
            if user_id:
                with clients[kind].session_transaction() as session:
                    session["_user_id"] = f"{user_id}:1"
                    session["_fresh"] = True

        class NoCsrf:
            csrf = ""

        def send(client, make, n):
            method, path, form, *headers = make(NoCsrf, n)
            response = client.open(path, method=method, data=form,
                                   headers=headers[0] if headers else None)
            if response.status_code not in (200, 302):
                raise RuntimeError(f"{path}: {response.status_code}")

        print(f"{args.size}: best of {args.rounds} rounds of {args.requests} requests")
        for route, (kind, _, make) in routes(data, 1).items():
            if args.route and route not in args.route:
                continue
            client = clients[kind]
            for n in range(10):  # warm-up, on the last rows (not used below)
                send(client, make, -1 - n)
            walls, cpus = [], []
            for r in range(args.rounds):
                wall, cpu = time.perf_counter(), time.process_time()
                for n in range(args.requests):
                    send(client, make, r * args.requests + n)
                walls.append((time.perf_counter() - wall) / args.requests * 1000)
                cpus.append((time.process_time() - cpu) / args.requests * 1000)
            print(f"  {route:24s} wall {min(walls):7.2f} ms   cpu {min(cpus):7.2f} ms",
                  flush=True)
        with app.app_context():
            from meetingapp.extensions import db
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
