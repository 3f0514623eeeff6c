"""Conversions between a meeting's wall-clock time and UTC."""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class NonExistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change."""


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name known to this system, sorted."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def is_valid_zone(name: str) -> bool:
    if not name or name not in zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_to_utc(naive: datetime, zone_name: str) -> datetime:
    """Read a naive wall-clock time in ``zone_name`` and return it in UTC.

    A time that does not exist (clocks jump forward) is refused; an ambiguous
    one (clocks fall back) is taken as its first occurrence.
    """
    zone = ZoneInfo(zone_name)
    aware = naive.replace(tzinfo=zone, fold=0)
    try:
        as_utc = aware.astimezone(UTC)
        back = as_utc.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        raise NonExistentLocalTime(
            f"{naive:%d %B %Y %H:%M} is outside the dates this system accepts."
        ) from None
    if back != naive.replace(fold=0):
        raise NonExistentLocalTime(
            f"{naive:%d %B %Y %H:%M} does not exist in {zone_name}: "
            "the clocks change then. Choose another time."
        )
    return as_utc


def utc_to_local(moment: datetime | None, zone_name: str) -> datetime | None:
    """The same instant on the wall clock of ``zone_name``."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone_name))


def format_local(moment: datetime | None, zone_name: str, fmt: str = "%d %B %Y, %H:%M") -> str:
    """A time shown in the meeting's zone, with the zone named (e.g. EST)."""
    local = utc_to_local(moment, zone_name)
    if local is None:
        return ""
    return f"{local.strftime(fmt)} {zone_abbreviation(local)} ({zone_name})"


def zone_abbreviation(local: datetime) -> str:
    """The zone's short name at that moment (EST, CET); "UTC+06" where the zone has none."""
    name = local.tzname() or ""
    if name[:1] in "+-" and name[1:].replace(":", "").isdigit():
        offset = name[1:]
        if len(offset) == 4 and offset.isdigit():
            offset = f"{offset[:2]}:{offset[2:]}"
        return f"UTC{name[0]}{offset}"
    return name


def utc_to_wall_clock(moment: datetime | None, zone_name: str) -> datetime | None:
    """The naive wall-clock time in ``zone_name``, as a form shows it (inverse of local_to_utc)."""
    local = utc_to_local(moment, zone_name)
    return local.replace(tzinfo=None) if local is not None else None


def format_local_range(
    start: datetime | None, end: datetime | None, zone_name: str, date_fmt: str = "%d %B %Y"
) -> str:
    """A span of time in the meeting's zone, the zone named once.

    Same day: "06 March 2003, 09:30–18:00 EST (America/New_York)"; over several days
    each end gets its own date and abbreviation.
    """
    first, last = utc_to_local(start, zone_name), utc_to_local(end, zone_name)
    if first is None or last is None:
        return format_local(start or end, zone_name)
    first_zone, last_zone = zone_abbreviation(first), zone_abbreviation(last)
    if first.date() == last.date() and first_zone == last_zone:
        return (f"{first.strftime(date_fmt)}, {first:%H:%M}–{last:%H:%M} "
                f"{first_zone} ({zone_name})")
    return (f"{first.strftime(date_fmt)}, {first:%H:%M} {first_zone} – "
            f"{last.strftime(date_fmt)}, {last:%H:%M} {last_zone} ({zone_name})")
