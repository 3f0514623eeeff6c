"""Benchmark: the badge PDF of 1,000 delegates (not part of the test suite).

Builds a throw-away SQLite database in a temporary folder (through the
migrations), fills it with synthetic approved delegates whose names and
organisations come in the six official languages, then times the badge PDF
in each layout and prints the total and the time per badge.

    .venv/bin/python benchmarks/badges.py [--count 1000] [--layout card|sheet|both] [--keep DIR]
"""

import argparse
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402

from meetingapp import create_app  # noqa: E402
from meetingapp.extensions import db  # noqa: E402
from meetingapp.models import Invitation, Meeting, Organisation  # noqa: E402
from meetingapp.models.registration import Delegate  # noqa: E402
from meetingapp.text import fold  # noqa: E402

NAMES = (  # (given, family) in Arabic, Chinese, English, French, Russian, Spanish
    ("أحمد", "المنصوري"), ("", "王小明"), ("Margaret", "Thompson-Whitfield"),
    ("Anne-Sophie", "Lefèvre"), ("Ирина", "Петрова"), ("José", "Álvarez de la Fuente"),
)
KINDS = ("international", "regional", "sub-regional")
ROLES = ("head", "delegate", "delegate", "adviser", "observer")


def populate(count: int) -> int:
    """A meeting with ``count`` approved delegates, five per organisation; its id."""
    meeting = Meeting(
        title="First Special Meeting of the Counter-Terrorism Committee with International, "
              "Regional and Sub-regional Organizations", number=1,
        venue="United Nations Headquarters", timezone="America/New_York",
        starts_at=datetime(2003, 3, 6, 14, 30, tzinfo=UTC),
        ends_at=datetime(2003, 3, 6, 23, 0, tzinfo=UTC),
        registration_opens_at=datetime(2003, 1, 15, 14, 0, tzinfo=UTC),
        registration_closes_at=datetime(2003, 3, 3, 23, 0, tzinfo=UTC),
        delegates_per_organisation=5, status="closed")
    db.session.add(meeting)
    invitation = None
    for n in range(count):
        if n % 5 == 0:
            name = f"Regional Organisation for Counter-Terrorism Co-operation No. {n // 5 + 1}"
            organisation = Organisation(name=name, name_key=fold(name), search_key=fold(name),
                                        acronym=f"ROCT{n // 5 + 1}", kind=KINDS[n % 3])
            invitation = Invitation(meeting=meeting, organisation=organisation,
                                    email=f"focal{n}@example.org", status="accepted")
            db.session.add_all([organisation, invitation])
        given, family = NAMES[n % len(NAMES)]
        db.session.add(Delegate(
            meeting=meeting, invitation=invitation, role=ROLES[n % 5], title="H.E. Ms.",
            given_name=given, family_name=family, email=f"delegate{n}@example.org",
            email_key=f"delegate{n}@example.org", nationality="FR", language="en",
            attendance="in_person", status="approved"))  # approval issues the check-in code
        if n % 200 == 199:
            db.session.flush()
    db.session.commit()
    return meeting.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--layout", choices=("card", "sheet", "both"), default="both")
    parser.add_argument("--keep", help="write the PDF files into this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="badges-benchmark-") as folder:
        app = create_app({"ENV": "testing", "SECRET_KEY": secrets.token_urlsafe(48),
                          "DATABASE_URL": "sqlite:///" + os.path.join(folder, "bench.sqlite3"),
                          "SERVER_NAME": "localhost", "LOG_LEVEL": "WARNING"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            meeting_id = populate(args.count)
            print(f"{args.count} synthetic approved delegates (with check-in codes) in "
                  f"{time.perf_counter() - started:.1f} s")

        from meetingapp.badges.render import render_badges
        from meetingapp.badges.services import badges_for, select_delegates

        layouts = ("card", "sheet") if args.layout == "both" else (args.layout,)
        for layout in layouts:
            with app.test_request_context():
                meeting = db.session.get(Meeting, meeting_id)
                started, cpu = time.perf_counter(), time.process_time()
                delegates = select_delegates(meeting).delegates
                badges = badges_for(delegates)
                prepared = time.perf_counter()
                pdf = render_badges(badges, layout, title="Benchmark")
                total, cpu = time.perf_counter() - started, time.process_time() - cpu
            # CPU time too: on a shared machine the wall clock includes others' work.
            print(f"{layout:5}: {len(badges)} badges, {len(pdf) / 1e6:.1f} MB PDF, "
                  f"total {total:.1f} s (data and QR codes {prepared - started:.1f} s; "
                  f"CPU {cpu:.1f} s), {1000 * total / len(badges):.1f} ms per badge "
                  f"({1000 * cpu / len(badges):.1f} ms CPU)")
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                with open(os.path.join(args.keep, f"badges-{layout}.pdf"), "wb") as out:
                    out.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
