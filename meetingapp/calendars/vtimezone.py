"""VTIMEZONE components written from zoneinfo's own transitions (RFC 5545, 3.6.5).

Calendar programs turn a TZID'd local time into an instant with the rules of the file's
VTIMEZONE, not with their own database, so those rules must give zoneinfo's offset for
every instant the file's events can fall on. The transitions of the covered span are found
by scanning zoneinfo day by day and bisecting to the second. They are written in the form
most programs read: a yearly RRULE (``BYMONTH`` and ``BYDAY``, with UNTIL in UTC) where
three or more consecutive years follow one rule, else one RDATE per line, the DTSTART
repeated among them (a comma-separated RDATE list is read only up to its first value, and
the DTSTART of a component with RDATEs not at all, by ical.js and libical). Each
STANDARD/DAYLIGHT DTSTART is the local wall-clock time of the change (before it). Zones
whose rule for later years has no daylight saving time take their changes from the list in
zoneinfo's file instead of a scan.
"""

import calendar as _calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

DAY = 86400
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A rule is written as an RRULE only when it holds for at least this many years in a row.
MIN_RULE_YEARS = 3


@dataclass(frozen=True)
class Transition:
    """A change of offset, daylight flag or abbreviation at ``at`` (seconds since the epoch)."""

    at: int
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def local(self) -> datetime:
        """The wall-clock time of the change, as read just before it (naive)."""
        return datetime.fromtimestamp(self.at, UTC).replace(tzinfo=None) + self.offset_from

    @property
    def kind(self) -> tuple:
        return (self.daylight, self.offset_from, self.offset_to, self.name)


def _state(zone: ZoneInfo, at: int) -> tuple[timedelta, bool, str]:
    moment = datetime.fromtimestamp(at, zone)
    return moment.utcoffset(), bool(moment.dst()), moment.tzname() or ""


def _first_change(zone: ZoneInfo, low: int, high: int, state) -> int:
    """The first second in (low, high] whose state differs from ``state`` (there is one)."""
    while high - low > 1:
        middle = (low + high) // 2
        if _state(zone, middle) == state:
            low = middle
        else:
            high = middle
    return high


def _listed_changes(name: str) -> list[int] | None:
    """The instants zoneinfo's file for ``name`` lists changes at, when its rule for later
    years has no daylight saving time (so nothing changes after them); else None."""
    try:  # the TZif reader of zoneinfo itself: where ZoneInfo looks, in the same order
        from zoneinfo._common import load_data, load_tzdata

        found = [Path(p) / name for p in TZPATH if (Path(p) / name).is_file()]
        with (found[0].open("rb") if found else load_tzdata(name)) as file:
            data = load_data(file)
    except Exception:  # noqa: BLE001 - a private reader that may change: scan instead
        return None
    listed, rule = data[1], data[-1]
    return None if b"," in rule else list(listed)


@lru_cache(maxsize=1024)
def transitions(name: str, start: datetime, end: datetime) -> tuple[Transition, ...]:
    """Every change of the zone ``name`` between the instants ``start`` and ``end``, in order
    (kept: a feed is written again and again for the same span)."""
    zone, found = ZoneInfo(name), []
    low, last = int(start.timestamp()), int(end.timestamp())
    listed = _listed_changes(name)
    if listed is not None:  # no rule for later years: the listed changes are all there is
        for at in listed:
            before, after = _state(zone, at - 1), _state(zone, at)
            if low < at <= last and before != after:
                found.append(Transition(at, before[0], after[0], after[2], after[1]))
        return tuple(found)
    state = _state(zone, low)
    while low < last:
        high = min(low + DAY, last)
        while (after := _state(zone, high)) != state:
            at = _first_change(zone, low, high, state)
            new = _state(zone, at)
            found.append(Transition(at, state[0], new[0], new[2], new[1]))
            low, state = at, new
            if new == after:
                break
        low = high
    return tuple(found)


def _rule_keys(moment: datetime) -> set[tuple[int, int, int]]:
    """The (month, weekday, n) yearly rules ``moment`` falls on (n = -1: the last one)."""
    nth = (moment.day - 1) // 7 + 1
    keys = set()
    if nth <= 4:
        keys.add((moment.month, moment.weekday(), nth))
    if moment.day + 7 > _calendar.monthrange(moment.year, moment.month)[1]:
        keys.add((moment.month, moment.weekday(), -1))
    return keys


def _runs(group: list[Transition]) -> list[tuple[list[Transition], tuple | None]]:
    """``group`` (one kind of change, in order) cut into yearly rules and lone changes."""
    runs, index = [], 0
    while index < len(group):
        first = group[index]
        keys, end = _rule_keys(first.local), index + 1
        while end < len(group):
            previous, candidate = group[end - 1].local, group[end].local
            common = keys & _rule_keys(candidate)
            if (candidate.year != previous.year + 1 or candidate.time() != first.local.time()
                    or not common):
                break
            keys, end = common, end + 1
        if end - index >= MIN_RULE_YEARS:
            runs.append((group[index:end], min(keys, key=lambda k: (k[2] != -1, k))))
            index = end
        else:
            runs.append(([first], None))
            index += 1
    return runs


def _observance(first: Transition, offset_from: timedelta | None = None):
    component = TimezoneDaylight() if first.daylight else TimezoneStandard()
    component.add("tzname", first.name)
    component.add("tzoffsetfrom", first.offset_from if offset_from is None else offset_from)
    component.add("tzoffsetto", first.offset_to)
    component.add("dtstart", first.local)
    return component


def vtimezone(name: str, first: date, last: date) -> Timezone:
    """The VTIMEZONE of the IANA zone ``name``, exact for every instant from ``first`` to
    ``last`` (dates, inclusive; a day either side is covered too)."""
    zone = ZoneInfo(name)
    start = datetime.combine(first, datetime.min.time(), UTC) - timedelta(days=1)
    end = datetime.combine(last, datetime.min.time(), UTC) + timedelta(days=2)
    timezone = Timezone()
    timezone.add("tzid", name)
    offset, daylight, abbreviation = _state(zone, int(start.timestamp()))
    # The offset in force when the span begins, as a change to itself at its start.
    timezone.add_component(_observance(
        Transition(int(start.timestamp()), offset, offset, abbreviation, daylight)))
    groups: dict[tuple, list[Transition]] = {}
    for change in transitions(name, start, end):
        groups.setdefault(change.kind, []).append(change)
    for group in groups.values():
        lone = []
        for run, rule in _runs(group):
            if rule is None:
                lone.extend(run)
                continue
            month, weekday, nth = rule
            component = _observance(run[0])
            component.add("rrule", {
                "FREQ": "YEARLY", "BYMONTH": month, "BYDAY": f"{nth}{WEEKDAYS[weekday]}",
                # A day after the last change: read as UTC (RFC 5545) or as wall-clock time
                # (dateutil), it ends the rule after that change, before the next year's.
                "UNTIL": datetime.fromtimestamp(run[-1].at + DAY, UTC)})
            timezone.add_component(component)
        if lone:
            component = _observance(lone[0])
            for change in lone:  # the DTSTART too: ical.js and libical read only the RDATEs
                component.add("rdate", change.local)  # one per line
            timezone.add_component(component)
    return timezone
