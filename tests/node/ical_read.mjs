// Reads calendars with Thunderbird's parser (ical.js) for the Python tests; prints JSON.
//
// stdin: {"times": [{"ics": "...", "tzid": "Europe/Paris", "local": [[2027, 2, 20, 9, 0, 0], ...]}, ...]}
//    or: {"calendars": ["BEGIN:VCALENDAR...", ...]}
// stdout: {"times": [[unix seconds, ...], ...]}: each local time read in the file's VTIMEZONE
//    or: {"calendars": [{"method": ..., "events": [{"uid", "sequence", "status", "url",
//         "start", "end" (unix seconds), "summary"}, ...]}, ...]}
import ICAL from "ical.js";

function withZones(text, read) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  ICAL.TimezoneService.reset();
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  try {
    return read(calendar);
  } finally {
    ICAL.TimezoneService.reset();
  }
}

function times(request) {
  return withZones(request.ics, () => {
    const zone = ICAL.TimezoneService.get(request.tzid);
    if (!zone) throw new Error(`no VTIMEZONE ${request.tzid}`);
    return request.local.map(([year, month, day, hour, minute, second]) =>
      ICAL.Time.fromData({ year, month, day, hour, minute, second, isDate: false }, zone)
        .toUnixTime());
  });
}

function events(text) {
  return withZones(text, (calendar) => ({
    method: calendar.getFirstPropertyValue("method"),
    events: calendar.getAllSubcomponents("vevent").map((vevent) => {
      const event = new ICAL.Event(vevent);
      return {
        uid: event.uid,
        sequence: event.sequence,
        status: vevent.getFirstPropertyValue("status"),
        url: vevent.getFirstPropertyValue("url"),
        summary: event.summary,
        start: event.startDate.toUnixTime(),
        end: event.endDate.toUnixTime(),
      };
    }),
  }));
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const answer = {};
  if (request.times) answer.times = request.times.map(times);
  if (request.calendars) answer.calendars = request.calendars.map(events);
  process.stdout.write(JSON.stringify(answer));
});
