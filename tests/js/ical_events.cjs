// Reads an iCalendar file on stdin with Thunderbird's parser (ical.js) and prints
// its METHOD and events as JSON: what a calendar program would take from it.
const ICAL = require("ical.js");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const calendar = new ICAL.Component(ICAL.parse(input));
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      sequence: event.sequence,
      url: vevent.getFirstPropertyValue("url"),
      status: vevent.getFirstPropertyValue("status"),
      start: event.startDate.toJSDate().toISOString(),
    };
  });
  process.stdout.write(JSON.stringify({
    method: calendar.getFirstPropertyValue("method"),
    events,
  }));
});
