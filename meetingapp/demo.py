"""Demonstration data: the First Special Meeting of the Counter-Terrorism
Committee with international, regional and sub-regional organisations
(United Nations Headquarters, New York, 6 March 2003), the organisations
that took part in such meetings, and a demo staff account.

Loading is idempotent: rows are looked up by their natural keys and created
only when missing, so running it twice changes nothing.
"""

import os
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from .audit.services import record
from .extensions import db
from .models import Meeting, User
from .timezones import local_to_utc

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
ZONE = "America/New_York"

FIRST_MEETING_PROGRAMME = """\
Chaired by the Chair of the Counter-Terrorism Committee.

08:30-09:15  Registration (please arrive early for security screening)
09:30-10:00  Introduction
10:00-11:15  Session I: Global Standards on Counter-Terrorism — presentations by
             the CTC, IMF, ICAO, IMO and WCO
Session II: The role of regional and sub-regional organisations
Session III: Assistance
"""


def _ny(*args) -> datetime:
    return local_to_utc(datetime(*args), ZONE)


def _demo_user() -> list[str]:
    config = current_app.config
    email = config["DEMO_STAFF_EMAIL"].lower()
    if db.session.scalar(select(User).where(User.email == email)):
        return []
    user = User(email=email, name="Demo administrator", role="admin")
    user.set_password(config["DEMO_STAFF_PASSWORD"])
    db.session.add(user)
    db.session.flush()
    record("create", user, actor="demo loader", changes={"role": [None, "admin"]})
    return [f"Created the demo staff account {email}."]


def _demo_organisations() -> list[str]:
    from .organisations.services import import_organisations_csv

    with open(os.path.join(DATA_DIR, "organisations.csv"), encoding="utf-8-sig") as f:
        result = import_organisations_csv(f.read(), actor="demo loader")
    if not result.created:
        return []
    return [f"Created {result.created} organisations."]


def _first_special_meeting() -> list[str]:
    if db.session.scalar(select(Meeting).where(Meeting.number == 1)):
        return []
    meeting = Meeting(
        title="First Special Meeting of the Counter-Terrorism Committee with "
              "International, Regional and Sub-regional Organizations",
        number=1,
        description=FIRST_MEETING_PROGRAMME,
        venue="United Nations Headquarters",
        address="405 East 42nd Street, New York, NY 10017, United States",
        timezone=ZONE,
        # Thursday 6 March 2003, EST (UTC-5): daylight time began on 6 April.
        starts_at=_ny(2003, 3, 6, 9, 30),
        ends_at=_ny(2003, 3, 6, 18, 0),
        registration_opens_at=_ny(2003, 1, 15, 9, 0),
        registration_closes_at=_ny(2003, 3, 3, 18, 0),
        delegates_per_organisation=5,
        status="held",
    )
    db.session.add(meeting)
    db.session.flush()
    record("create", meeting, meeting=meeting, actor="demo loader")
    return ["Created the First Special Meeting (New York, 6 March 2003)."]


def load_demo() -> list[str]:
    """Create whatever demo data is missing (flushes; the caller commits)."""
    if current_app.config["ENV"] == "production":
        raise RuntimeError("Demo data is not loaded in production (it has a known password).")
    summary = _demo_user() + _demo_organisations() + _first_special_meeting()
    return summary or ["Demo data already present: nothing changed."]
