"""HTTP benchmarks at two data sizes, against gunicorn on PostgreSQL (``make bench``).

For each size a throw-away PostgreSQL database is created, migrated and filled
with bulk inserts (SQLAlchemy Core): "small" is 3,000 delegates of 300
organisations in one meeting, "large" ten times that (30,000 delegates of
1,000 organisations across three meetings; the measured meeting has 10,000).
gunicorn serves it with the project's gunicorn.conf.py (production settings,
2 workers); this process drives it over loopback with a few keep-alive
clients, one route at a time, and counts each page's SQL queries in-process.

    .venv/bin/python benchmarks/run.py [--seconds 6] [--clients 4] [--workers 2]

Targets: check-in scan >= 50% of the baseline's throughput, every page >= 25%;
a page's p95 at the large size <= 1.5 x its p95 at the small size; the same
number of SQL queries per page at both sizes. Exit status 1 if one is missed.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib  # noqa: E402
from benchlib import DESK_EMAIL, STAFF_EMAIL, Client, Result, drive  # noqa: E402

SIZES = {  # name: (organisations, meetings, delegates per organisation)
    "small": (300, 1, 10),
    "large": (1000, 3, 10),
}


JSON = {"Accept": "application/json"}  # what the desk's page asks for


def routes(data, m: int):
    """name -> (kind of client, target share of baseline rps, request maker)."""
    inv, feeds, codes = data.invitation_tokens, data.feed_tokens, data.codes
    pending, approved, orgs = data.pending_ids, data.approved_ids, data.organisation_ids

    def pick(lst, n):
        return lst[n % len(lst)]

    return {
        "baseline": ("anon", None, lambda c, n: ("GET", f"/_bench/baseline/{pick(orgs, n)}",
                                                  None)),
        "invitation page": ("anon", 0.25, lambda c, n: ("GET", f"/i/{pick(inv, n)}", None)),
        "registrations p1": ("staff", 0.25, lambda c, n: (
            "GET", f"/meetings/{m}/registrations/", None)),
        "registrations filtered": ("staff", 0.25, lambda c, n: (
            "GET", f"/meetings/{m}/registrations/?status=pending&kind=regional&role=delegate"
                   f"&page={1 + n % 3}", None)),
        "approve": ("staff", 0.25, lambda c, n: (
            "POST", f"/meetings/{m}/registrations/{pick(pending, n)}/approve",
            {"csrf_token": c.csrf})),
        "check-in scan": ("desk", 0.50, lambda c, n: (
            "POST", f"/checkin/{m}/scan", {"csrf_token": c.csrf, "code": pick(codes, n),
                                           "method": "scanner"},
            JSON)),
        "meeting .ics": ("staff", 0.25, lambda c, n: ("GET", f"/meetings/{m}/calendar.ics",
                                                       None)),
        "delegate feed": ("anon", 0.25, lambda c, n: ("GET", f"/feed/{pick(feeds, n)}.ics",
                                                       None)),
        "badge PDF": ("staff", 0.25, lambda c, n: (
            "POST", f"/meetings/{m}/badges/print",
            {"csrf_token": c.csrf, "one": str(pick(approved, n)), "layout": "card"})),
    }


def count_queries(app, data, m: int) -> dict:
    """SQL statements per request of each route, counted in this process."""
    sys.path.insert(0, benchlib.ROOT)
    from meetingapp.extensions import db
    from tests.query_counter import count_queries as counting

    counts = {}
    clients = {}
    for kind, user_id in (("anon", None), ("staff", 1), ("desk", 2)):
        client = app.test_client()
        if user_id:
            with client.session_transaction() as session:
                session["_user_id"] = f"{user_id}:1"
                session["_fresh"] = True
        clients[kind] = client

    class Fake:
        csrf = ""

    with app.app_context():
        engine = db.engine
    for name, (kind, _, make) in routes(data, m).items():
        client = clients[kind]
        numbers = []
        # Two different rows of the same kind; the second one is counted for the ids below.
        for n in (10**6 + 7, 10**6 + 11):
            method, path, form, *headers = make(Fake, n)
            with counting(engine) as counted:
                response = client.open(path, method=method, data=form,
                                       headers=headers[0] if headers else None)
            if response.status_code not in (200, 302):
                raise RuntimeError(f"{name}: {response.status_code} in-process")
            numbers.append(counted.count)
        counts[name] = numbers[-1]
    return counts


def measure(port, data, seconds, nclients, m=1) -> dict:
    results = {}
    pool = {}
    for kind in ("anon", "staff", "desk"):
        clients = [Client(port) for _ in range(nclients)]
        for c in clients:
            if kind == "staff":
                c.login(STAFF_EMAIL, f"/meetings/{m}/registrations/")
            elif kind == "desk":
                c.login(DESK_EMAIL, f"/checkin/{m}")
        pool[kind] = clients
    for name, (kind, _, make) in routes(data, m).items():
        drive(pool[kind], make, 1.0)  # warm-up
        results[name] = drive(pool[kind], make, seconds)
        r = results[name]
        print(f"  {name:24s} {r.rps:8.1f} req/s  p50 {r.p50:7.1f} ms  p95 {r.p95:7.1f} ms"
              f"  errors {r.errors} {dict(sorted(r.statuses.items()))}", flush=True)
    # The machine is shared: the baseline is measured again at the end and the two
    # runs are merged, so that a ratio does not depend on when the neighbours were busy.
    _, _, make = routes(data, m)["baseline"]
    again = drive(pool["anon"], make, seconds)
    first = results["baseline"]
    statuses = dict(first.statuses)
    for k, v in again.statuses.items():
        statuses[k] = statuses.get(k, 0) + v
    results["baseline"] = Result(first.requests + again.requests, first.errors + again.errors,
                                 first.seconds + again.seconds, first.latencies + again.latencies,
                                 statuses)
    print(f"  baseline again: {again.rps:.1f} req/s; merged {results['baseline'].rps:.1f}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="per route and size")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--sizes", default="small,large")
    args = parser.parse_args()

    began = time.time()
    figures, queries, meta = {}, {}, {}
    for size in args.sizes.split(","):
        orgs, meetings, per_org = SIZES[size]
        with benchlib.throwaway_database("bench") as name:
            url = benchlib.pg_url(name)
            app = benchlib.make_app(url, WTF_CSRF_ENABLED=False)
            t0 = time.time()
            data = benchlib.load(app, orgs, meetings, per_org)
            meta[size] = (data.counts, time.time() - t0)
            print(f"{size}: {data.counts} loaded in {meta[size][1]:.1f} s", flush=True)
            queries[size] = count_queries(app, data, 1)
            with app.app_context():
                from meetingapp.extensions import db
                db.engine.dispose()
            log = os.path.join("/tmp", f"bench-gunicorn-{os.getpid()}-{size}.log")
            with benchlib.gunicorn(url, workers=args.workers, log_path=log) as port:
                figures[size] = measure(port, data, args.seconds, args.clients)
    ok = report(figures, queries, args)
    print(f"\ntotal {time.time() - began:.0f} s", flush=True)
    return 0 if ok else 1


def report(figures, queries, args) -> bool:
    sizes = list(figures)
    names = list(next(iter(figures.values())))
    spec = routes(benchlib.Dataset(meeting_id=1), 1)
    all_ok = True
    print("\n| route | size | req/s | p50 ms | p95 ms | x baseline | target | queries | met |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for name in names:
        target = spec[name][1]
        for size in sizes:
            r = figures[size][name]
            base = figures[size]["baseline"].rps
            ratio = r.rps / base if base else 0
            met = "" if target is None else ("met" if ratio >= target else "MISSED")
            if r.errors:
                met += " (errors)"
            all_ok &= "MISSED" not in met and not r.errors
            print(f"| {name} | {size} | {r.rps:.1f} | {r.p50:.1f} | {r.p95:.1f} | {ratio:.2f} | "
                  f"{'' if target is None else f'>= {target:.2f}'} | "
                  f"{queries[size].get(name, '')} | {met} |")
    if len(sizes) == 2:
        small, large = sizes
        print("\n| route | p95 small ms | p95 large ms | growth (<= 1.5) | queries small/large "
              "(equal) | met |")
        print("|---|---:|---:|---:|---|---|")
        for name in names:
            a, b = figures[small][name].p95, figures[large][name].p95
            growth = b / a if a else float("inf")
            qa, qb = queries[small][name], queries[large][name]
            ok = growth <= 1.5 and qa == qb
            all_ok &= ok
            why = ("p95 " if growth > 1.5 else "") + ("queries" if qa != qb else "")
            print(f"| {name} | {a:.1f} | {b:.1f} | {growth:.2f} | {qa}/{qb} | "
                  f"{'met' if ok else 'MISSED: ' + why} |")
    print(f"\n{args.clients} clients, {args.workers} gunicorn workers, {args.seconds:g} s "
          f"per route; all targets {'met' if all_ok else 'NOT met'}")
    return all_ok


if __name__ == "__main__":
    sys.exit(main())
