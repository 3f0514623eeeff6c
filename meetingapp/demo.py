"""Demonstration data: the First Special Meeting of the Counter-Terrorism
Committee with international, regional and sub-regional organisations
(United Nations Headquarters, New York, 6 March 2003), the organisations
that took part in such meetings, and a demo staff account.

Loading is idempotent: rows are looked up by their natural keys and created
only when missing, so running it twice changes nothing.
"""

import os
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .audit.services import record
from .extensions import db
from .models import Contact, Meeting, MeetingStatus, Organisation, User, utcnow
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


# A few focal points with names in other scripts, as names arrive in all six
# official languages; the others get a neutral placeholder name.
FOCAL_POINTS = {
    "LAS": ("أحمد المنصوري", "Mr."),
    "CIS": ("Ирина Петрова", "Ms."),
    "ASEAN": ("Nguyễn Thị Hương", "Ms."),
    "OAS": ("José Álvarez", "Mr."),
    "OSCE": ("Anne-Sophie Lefèvre", "Dr."),
    "INTERPOL": ("李伟", "Mr."),
}


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
        result = import_organisations_csv(f.read())
    lines = [f"Created {result.created} organisations."] if result.created else []
    added = 0
    for org in db.session.scalars(select(Organisation).order_by(Organisation.name)):
        if org.contacts:
            continue
        name, title = FOCAL_POINTS.get(org.acronym, (f"Focal Point of {org.acronym}", "Ms."))
        slug = "".join(c for c in org.acronym.lower() if c.isalnum())
        db.session.add(Contact(organisation=org, name=name, title=title,
                               position="Counter-terrorism focal point",
                               email=f"focal-point.{slug}@example.org", is_focal_point=True))
        added += 1
    db.session.flush()
    if added:
        lines.append(f"Added a focal point (example.org address) to {added} organisations.")
    return lines


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
        status=MeetingStatus.HELD,
    )
    db.session.add(meeting)
    db.session.flush()
    record("create", meeting, meeting=meeting, actor="demo loader")
    return ["Created the First Special Meeting (New York, 6 March 2003)."]


FOLLOW_UP_TITLE = "Follow-up Special Meeting with International, Regional and " \
    "Sub-regional Organizations (demonstration)"


def _follow_up_meeting() -> list[str]:
    """An upcoming meeting open for registration, to try invitations and the portal.

    The First Special Meeting's registration closed in 2003, so its links
    cannot be answered any more; this one is dated from the day of loading.
    """
    if db.session.scalar(select(Meeting).where(Meeting.title == FOLLOW_UP_TITLE)):
        return []
    day = (utcnow() + timedelta(days=60)).date()
    meeting = Meeting(
        title=FOLLOW_UP_TITLE,
        description="Follow-up of the First Special Meeting: organisations report on the "
                    "commitments made, and share best practices, codes and standards.",
        venue="United Nations Headquarters",
        address="405 East 42nd Street, New York, NY 10017, United States",
        timezone=ZONE,
        starts_at=_ny(day.year, day.month, day.day, 10, 0),
        ends_at=_ny(day.year, day.month, day.day, 18, 0),
        registration_opens_at=utcnow() - timedelta(days=1),
        registration_closes_at=_ny(day.year, day.month, day.day, 9, 0) - timedelta(days=14),
        delegates_per_organisation=4,
        status=MeetingStatus.OPEN,
    )
    db.session.add(meeting)
    db.session.flush()
    record("create", meeting, meeting=meeting, actor="demo loader")
    return [f"Created the follow-up meeting ({day:%d %B %Y}), open for registration."]


def load_demo() -> list[str]:
    """Create whatever demo data is missing (flushes; the caller commits)."""
    if current_app.config["ENV"] == "production":
        raise RuntimeError("Demo data is not loaded in production (it has a known password).")
    summary = (_demo_user() + _demo_organisations() + _first_special_meeting()
               + _follow_up_meeting())
    return summary or ["Demo data already present: nothing changed."]
