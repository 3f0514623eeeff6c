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
    as_utc = aware.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != naive.replace(fold=0):
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
    return f"{local.strftime(fmt)} {local.tzname()} ({zone_name})"
