"""Conversions between a meeting's wall-clock time and UTC."""

from datetime import UTC, datetime
from functools import lru_cache
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_date, format_datetime, format_skeleton
from flask_babel import gettext as _


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
    moment = f"{format_wall_clock(naive, '%d %B %Y')} {naive:%H:%M}"
    try:
        as_utc = aware.astimezone(UTC)
        back = as_utc.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        raise NonExistentLocalTime(_(
            "%(moment)s is outside the dates this system accepts.", moment=moment)) from None
    if back != naive.replace(fold=0):
        raise NonExistentLocalTime(_(
            "%(moment)s does not exist in %(zone)s: the clocks change then. "
            "Choose another time.", moment=moment, zone=zone_name))
    return as_utc


@overload
def utc_to_local(moment: datetime, zone_name: str) -> datetime: ...
@overload
def utc_to_local(moment: None, zone_name: str) -> None: ...
def utc_to_local(moment: datetime | None, zone_name: str) -> datetime | None:
    """The same instant on the wall clock of ``zone_name``."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone_name))


# The strftime formats the code uses. English keeps the secretariat's house style
# ("06 March 2003, 09:30"); other languages take the locale's own order and month
# names from CLDR (French "6 mars 2003, 09:30", Chinese "2003年3月6日 09:30").
_ENGLISH = {
    "%d %B %Y, %H:%M": "dd MMMM y, HH:mm",
    "%d %B %Y": "dd MMMM y",
    "%A %d %B %Y": "EEEE dd MMMM y",
    "%d %b %H:%M": "dd MMM HH:mm",
    "%d %b %Y": "dd MMM y",
    "%d %B": "dd MMMM",
    "%H:%M": "HH:mm",
}
# format -> (date part as a CLDR width or skeleton, whether the time follows)
_LOCALISED = {
    "%d %B %Y, %H:%M": ("long", True),
    "%d %B %Y": ("long", False),
    "%A %d %B %Y": ("full", False),
    "%d %b %H:%M": ("MMMd", True),
    "%d %b %Y": ("medium", False),
    "%d %B": ("MMMMd", False),
}


def format_wall_clock(local: datetime, fmt: str) -> str:
    """``local.strftime(fmt)`` with month and day names in the current language."""
    from .i18n import current_language

    language = current_language()
    if fmt == "%H:%M" or fmt not in _ENGLISH:
        return local.strftime(fmt)
    if language == "en":
        return format_datetime(local, _ENGLISH[fmt], tzinfo=local.tzinfo, locale="en")
    width, with_time = _LOCALISED[fmt]
    if width in ("long", "full", "medium"):
        day = format_date(local.date(), width, locale=language)
    else:
        day = format_skeleton(width, local, tzinfo=local.tzinfo, locale=language)
    return f"{day}, {local:%H:%M}" if with_time else day


def format_local(moment: datetime | None, zone_name: str, fmt: str = "%d %B %Y, %H:%M") -> str:
    """A time shown in the meeting's zone, with the zone named (e.g. EST)."""
    local = utc_to_local(moment, zone_name)
    if local is None:
        return ""
    return f"{format_wall_clock(local, fmt)} {zone_abbreviation(local)} ({zone_name})"


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
        return (f"{format_wall_clock(first, date_fmt)}, {first:%H:%M}–{last:%H:%M} "
                f"{first_zone} ({zone_name})")
    return (f"{format_wall_clock(first, date_fmt)}, {first:%H:%M} {first_zone} – "
            f"{format_wall_clock(last, date_fmt)}, {last:%H:%M} {last_zone} ({zone_name})")
