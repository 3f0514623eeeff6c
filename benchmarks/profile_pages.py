"""Profile the benchmarked pages in-process with pyinstrument, on the large data set.

    .venv/bin/python benchmarks/profile_pages.py [--size large] [--repeat 20] [route ...]

Loads the data set into a throw-away PostgreSQL database (as run.py does),
then prints pyinstrument's call tree of ``--repeat`` requests of each route
named (default: every route of run.py but the baseline).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib  # noqa: E402
from pyinstrument import Profiler  # noqa: E402
from run import SIZES, routes  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="large", choices=list(SIZES))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("route", nargs="*")
    args = parser.parse_args()
    with benchlib.throwaway_database("bench_profile") as name:
        app = benchlib.make_app(benchlib.pg_url(name), WTF_CSRF_ENABLED=False)
        data = benchlib.load(app, *SIZES[args.size])
        spec = routes(data, 1)
        clients = {}
        for kind, user_id in (("anon", None), ("staff", 1), ("desk", 2)):
            clients[kind] = app.test_client()
            if user_id:
                with clients[kind].session_transaction() as session:
                    session["_user_id"] = f"{user_id}:1"
                    session["_fresh"] = True

        class NoCsrf:
            csrf = ""

        for route in args.route or [r for r in spec if r != "baseline"]:
            kind, _, make = spec[route]
            profiler = Profiler()
            with profiler:
                for n in range(args.repeat):
                    method, path, form, *headers = make(NoCsrf, n)
                    clients[kind].open(path, method=method, data=form,
                                       headers=headers[0] if headers else None)
            print(f"===== {route} x {args.repeat} =====")
            show_all = bool(os.environ.get("PROFILE_ALL"))
            print(profiler.output_text(unicode=False, color=False, show_all=show_all))
        with app.app_context():
            from meetingapp.extensions import db
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
