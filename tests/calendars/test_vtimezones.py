"""VTIMEZONE blocks: every IANA zone, every year 2000-2040, read by two independent parsers
(icalendar's, on dateutil, and Thunderbird's ical.js) gives the instant zoneinfo gives."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from icalendar import Calendar, Event

from meetingapp.calendars.ics import Options, build_calendar
from meetingapp.calendars.vtimezone import transitions
from tests.icaljs import read_calendars, read_times

FIRST_YEAR, LAST_YEAR = 2000, 2040
ZONES = sorted(available_timezones())


def zone_file(zone: str, starts: datetime, ends: datetime) -> bytes:
    """A calendar with one event from ``starts`` to ``ends`` in ``zone`` (as the app writes it)."""
    event = Event()
    event.add("uid", f"test-{zone}@example.org")
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
    event.add("dtstart", starts.astimezone(ZoneInfo(zone)))
    event.add("dtend", ends.astimezone(ZoneInfo(zone)))
    return build_calendar([event], Options(link=""))


def samples(zone: str) -> list[int]:
    """Instants to check: eight a year, and either side and the middle of every change."""
    tz = ZoneInfo(zone)
    found = set()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in (1, 2, 4, 5, 7, 8, 10, 11):
            found.add(int(datetime(year, month, 20, 9, tzinfo=tz).timestamp()))
    # The span zone_file covers (a year either side), so the scan is done once.
    changes = transitions(zone, datetime(FIRST_YEAR - 2, 12, 31, tzinfo=UTC),
                          datetime(LAST_YEAR + 2, 1, 2, tzinfo=UTC))
    for change in changes:
        found.update((change.at - 7200, change.at + 7200))
    for change, following in zip(changes, changes[1:], strict=False):
        found.add((change.at + following.at) // 2)
    low = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC).timestamp()
    high = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp()
    return sorted(s for s in found if low <= s < high and _unambiguous(s, tz))


def _unambiguous(instant: int, tz: ZoneInfo) -> bool:
    wall = datetime.fromtimestamp(instant, tz).replace(tzinfo=None)
    return (wall.replace(tzinfo=tz, fold=0).timestamp() ==
            wall.replace(tzinfo=tz, fold=1).timestamp() == instant)


def wall(instant: int, zone: str) -> tuple:
    moment = datetime.fromtimestamp(instant, ZoneInfo(zone))
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def icalendar_instants(content: bytes, zone: str, walls: list[tuple]) -> list[int]:
    """The instants icalendar (dateutil's tzical) reads from the file's own VTIMEZONE."""
    (vtimezone,) = [z for z in Calendar.from_ical(content).walk("VTIMEZONE")
                    if str(z["TZID"]) == zone]
    tz = vtimezone.to_tz(lookup_tzid=False)  # the file's rules, not a database's
    return [int(datetime(*w, tzinfo=tz).timestamp()) for w in walls]


def test_every_zone_every_year_reads_as_zoneinfo_in_two_parsers():
    files, cases, expected = {}, [], {}
    for zone in ZONES:
        files[zone] = zone_file(zone, datetime(FIRST_YEAR, 1, 1, 12, tzinfo=UTC),
                                datetime(LAST_YEAR, 12, 31, 12, tzinfo=UTC))
        expected[zone] = samples(zone)
        cases.append((files[zone], zone, [wall(s, zone) for s in expected[zone]]))
    wrong = {}
    for (content, zone, walls), by_icaljs in zip(cases, read_times(cases), strict=True):
        by_icalendar = icalendar_instants(content, zone, walls)
        for local, want, got_js, got_py in zip(walls, expected[zone], by_icaljs, by_icalendar,
                                               strict=True):
            if not want == got_js == got_py:
                wrong.setdefault(zone, (local, want, got_js, got_py))
    assert wrong == {}, f"{len(wrong)} zones wrong, e.g. " + repr(list(wrong.items())[:5])


@pytest.mark.parametrize("zone, local, offset", [
    ("Africa/Casablanca", (2027, 2, 20, 9, 0, 0), timedelta(0)),
    ("Africa/Casablanca", (2027, 6, 20, 9, 0, 0), timedelta(hours=1)),
    ("Africa/El_Aaiun", (2015, 6, 20, 9, 0, 0), timedelta(0)),
    ("Africa/El_Aaiun", (2019, 5, 20, 9, 0, 0), timedelta(0)),
    ("Pacific/Fiji", (2020, 12, 20, 9, 0, 0), timedelta(hours=13)),
    ("Pacific/Fiji", (2027, 1, 20, 9, 0, 0), timedelta(hours=12)),
    ("America/New_York", (2027, 7, 1, 9, 0, 0), timedelta(hours=-4)),
    ("Europe/Paris", (2031, 8, 1, 9, 0, 0), timedelta(hours=2)),
])
def test_known_cases_read_right_in_both_parsers(zone, local, offset):
    instant = int((datetime(*local, tzinfo=UTC) - offset).timestamp())
    assert datetime(*local, tzinfo=ZoneInfo(zone)).utcoffset() == offset  # zoneinfo agrees
    content = zone_file(zone, datetime(2003, 3, 6, 14, tzinfo=UTC),
                        datetime(2039, 1, 1, tzinfo=UTC))
    assert read_times([(content, zone, [local])]) == [[instant]]
    assert icalendar_instants(content, zone, [local]) == [instant]


def test_rdates_one_per_line_and_dtstart_at_the_local_time_of_the_change():
    content = zone_file("Africa/Casablanca", datetime(2020, 1, 1, tzinfo=UTC),
                        datetime(2030, 1, 1, tzinfo=UTC)).decode()
    lines = content.replace("\r\n ", "").split("\r\n")
    rdates = [line for line in lines if line.startswith("RDATE")]
    assert rdates and all("," not in line for line in rdates)
    # Ramadan 2027 in Morocco: clocks go back from 03:00 (+01) on 7 February.
    assert "DTSTART:20270207T030000" in lines or "RDATE:20270207T030000" in lines
    paris = zone_file("Europe/Paris", datetime(2020, 1, 1, tzinfo=UTC),
                      datetime(2030, 1, 1, tzinfo=UTC)).decode()
    assert "RRULE:FREQ=YEARLY;UNTIL=20310331T010000Z;BYDAY=-1SU;BYMONTH=3" in paris


def test_multi_year_event_file_reads_right_in_ical_js():
    """Summer events years apart in one file (the staff feed) keep their hour."""
    events = []
    for year in (2003, 2011, 2027, 2038):
        event = Event()
        event.add("uid", f"summer-{year}@example.org")
        event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
        event.add("dtstart", datetime(year, 7, 1, 9, tzinfo=ZoneInfo("America/New_York")))
        event.add("dtend", datetime(year, 7, 1, 10, tzinfo=ZoneInfo("America/New_York")))
        events.append(event)
    (read,) = read_calendars([build_calendar(events, Options(link=""))])
    starts = {e["uid"]: e["start"] for e in read["events"]}
    for year in (2003, 2011, 2027, 2038):
        assert starts[f"summer-{year}@example.org"] == datetime(
            year, 7, 1, 13, tzinfo=UTC).timestamp()
