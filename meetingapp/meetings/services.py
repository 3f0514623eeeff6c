"""Meeting operations. They flush; the caller commits.

Times arrive as naive wall-clock times in the meeting's zone (what a person
types in a form) and are stored in UTC.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import hooks
from ..audit.services import apply_changes, record
from ..extensions import db
from ..models import MEETING_STATUSES, Meeting, MeetingStatus
from ..models.meeting import STATUS_LABELS
from ..timezones import (
    NonExistentLocalTime,
    format_local,
    is_valid_zone,
    local_to_utc,
    utc_to_wall_clock,
)

TIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
TEXT_LIMITS = {"title": 300, "venue": 300, "address": 500}
# Changes after which calendars must take the meeting's event again (iCalendar SEQUENCE).
CALENDAR_FIELDS = ("starts_at", "ends_at", "timezone", "venue", "address")


def _calendar_changed(meeting: Meeting, changes: dict) -> None:
    """Time, place or status changed: a higher SEQUENCE, and the news sent out."""
    meeting.sequence = (meeting.sequence or 0) + 1  # calendars take it as an update
    _flush()
    hooks.meeting_changed.send(meeting, changes=changes)
    if meeting.status == MeetingStatus.CANCELLED and "status" in changes:
        hooks.meeting_cancelled.send(meeting)

# A constraint the database refused, and the form field it concerns.
CONSTRAINT_ERRORS = {
    "number": ("number", _l("Another meeting already has this number in the series.")),
    "number_positive": ("number", _l("The number in the series must be 1 or more.")),
    "ends_after_start": ("ends_at", _l("The meeting must end after it starts.")),
    "registration_window": ("registration_closes_at",
                            _l("Registration must close after it opens.")),
    "registration_before_end": ("registration_closes_at",
                                _l("Registration must close before the meeting ends.")),
    "delegates_per_organisation": ("delegates_per_organisation",
                                   _l("Enter a number from 1 to 100.")),
}


class MeetingError(ValueError):
    """A meeting operation that would break a rule.

    ``errors`` maps the name of the form field concerned to its message.
    """

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(str(message) for message in errors.values()))


@dataclass
class MeetingDetails:
    """What staff enter for a meeting; the four times are naive, on the meeting's wall clock."""

    title: str
    venue: str
    timezone: str
    starts_at: datetime | None
    ends_at: datetime | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    number: int | None = None
    description: str = ""
    address: str = ""
    delegates_per_organisation: int = 5


def details_of(meeting: Meeting) -> MeetingDetails:
    """A meeting's details as a form shows them: times back on the meeting's wall clock."""
    return MeetingDetails(
        title=meeting.title,
        number=meeting.number,
        description=meeting.description,
        venue=meeting.venue,
        address=meeting.address,
        timezone=meeting.timezone,
        delegates_per_organisation=meeting.delegates_per_organisation,
        **{name: utc_to_wall_clock(getattr(meeting, name), meeting.timezone)
           for name in TIME_FIELDS},
    )


def create_meeting(details: MeetingDetails) -> Meeting:
    """Add a draft meeting; its times are read in its own zone and stored in UTC."""
    values = _checked_values(details, meeting=None)
    meeting = Meeting()
    changes = apply_changes(meeting, values | {"status": MeetingStatus.DRAFT})
    db.session.add(meeting)
    _flush()
    record("create", meeting, meeting=meeting, changes=changes)
    return meeting


def update_meeting(meeting: Meeting, details: MeetingDetails) -> dict:
    """Change a meeting's details; returns ``{field: [old, new]}`` of what changed.

    A change of time zone keeps the wall-clock times as entered: they are
    read in the new zone.
    """
    values = _checked_values(details, meeting=meeting)
    changes = apply_changes(meeting, values)
    if changes:
        _flush()
        record("update", meeting, meeting=meeting, changes=changes)
    if changes.keys() & set(CALENDAR_FIELDS):
        _calendar_changed(meeting, changes)
    return changes


def change_status(meeting: Meeting, status: str) -> dict:
    """Move a meeting to ``status`` if STATUS_TRANSITIONS allows it from its current one."""
    if status not in MEETING_STATUSES:
        raise MeetingError({"status": _("“%(status)s” is not a meeting status.", status=status)})
    status = MeetingStatus(status)
    # Read the status afresh, locked, so that two people clicking at once
    # cannot both move the meeting from the same status.
    db.session.refresh(meeting, with_for_update=True)
    if status == meeting.status:
        raise MeetingError({"status": _("The meeting is already “%(status)s”.",
                                         status=STATUS_LABELS[status])})
    if status not in meeting.allowed_transitions:
        allowed = ", ".join(f"“{STATUS_LABELS[s]}”" for s in meeting.allowed_transitions)
        refused = _("A meeting that is “%(current)s” cannot become “%(wanted)s”.",
                    current=STATUS_LABELS[meeting.status], wanted=STATUS_LABELS[status])
        then = (_("It can become: %(allowed)s.", allowed=allowed) if allowed
                else _("Its status is final."))
        raise MeetingError({"status": f"{refused} {then}"})
    changes = apply_changes(meeting, {"status": status})
    _flush()
    record("change_status", meeting, meeting=meeting, changes=changes)
    _calendar_changed(meeting, changes)
    return changes


def _checked_values(details: MeetingDetails, meeting: Meeting | None) -> dict:
    """Validate ``details`` and return the column values, times in UTC.

    Every problem is collected, so that the form can show them all at once.
    """
    values = asdict(details)
    errors: dict[str, str] = {}
    for name in ("title", "venue", "description", "address", "timezone"):
        values[name] = (values[name] or "").strip()
    for name in ("title", "venue"):
        if not values[name]:
            errors[name] = _("This field is required.")
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = _("At most %(limit)d characters, please.", limit=limit)

    number = values["number"]
    if number is not None:
        if number < 1:
            errors["number"] = CONSTRAINT_ERRORS["number_positive"][1]
        else:
            query = select(Meeting.id, Meeting.title).where(Meeting.number == number)
            if meeting is not None and meeting.id is not None:
                query = query.where(Meeting.id != meeting.id)
            taken = db.session.execute(query).first()
            if taken:
                errors["number"] = _("Number %(number)d is already used by “%(title)s”.",
                                     number=number, title=taken.title)

    delegates = values["delegates_per_organisation"]
    if delegates is None or not 1 <= delegates <= 100:
        errors["delegates_per_organisation"] = CONSTRAINT_ERRORS["delegates_per_organisation"][1]

    zone = values["timezone"]
    if not is_valid_zone(zone):
        errors["timezone"] = _("“%(zone)s” is not a time zone we know.", zone=zone)
        raise MeetingError(errors)

    for name in TIME_FIELDS:
        local = values[name]
        if local is None:
            errors[name] = _("Enter a date and time.")
            continue
        try:
            values[name] = local_to_utc(local.replace(tzinfo=None), zone)
        except NonExistentLocalTime as error:
            errors[name] = str(error)
    if not errors.keys() & set(TIME_FIELDS):
        errors.update(_time_order_errors(values, zone))
    if errors:
        raise MeetingError(errors)
    return values


def _time_order_errors(values: dict, zone: str) -> dict[str, str]:
    errors = {}
    if values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = _("The meeting must end after it starts (%(start)s).",
                              start=format_local(values["starts_at"], zone))
    if values["registration_closes_at"] <= values["registration_opens_at"]:
        errors["registration_closes_at"] = _(
            "Registration must close after it opens (%(opens)s).",
            opens=format_local(values["registration_opens_at"], zone))
    elif values["registration_closes_at"] > values["ends_at"]:
        errors["registration_closes_at"] = _(
            "Registration must close before the meeting ends (%(end)s).",
            end=format_local(values["ends_at"], zone))
    return errors


def _flush() -> None:
    """Flush, turning a refused constraint into a MeetingError on the right field.

    The checks above catch these first; the database has the last word when
    two people save at the same moment. The session is rolled back then, so
    nothing of the request is kept.
    """
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        message = str(error.orig).splitlines()[0]
        for key, (field, text) in sorted(CONSTRAINT_ERRORS.items(), key=lambda kv: -len(kv[0])):
            if key in message:
                raise MeetingError({field: text}) from error
        raise MeetingError({"": _("The meeting could not be saved: %(reason)s",
                                  reason=message)}) from error
