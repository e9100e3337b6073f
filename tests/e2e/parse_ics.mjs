// Parse an iCalendar feed from stdin the way Thunderbird does (Mozilla's ical.js) and print what a client
// would show as JSON: calendar properties and, per event, its start/end in UTC (timed) or its dates (all-day).
// The feed's own VTIMEZONE definitions are registered first, so the RRULE-based Europe/Berlin is what converts.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const when = (time) =>
  time.isDate
    ? { date: time.toString(), all_day: true, zone: null }
    : { utc: time.toJSDate().toISOString(), all_day: false, zone: time.zone ? time.zone.tzid : null };

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    transp: vevent.getFirstPropertyValue("transp"),
    start: when(event.startDate),
    end: when(event.endDate),
  };
});

const prop = (name) => {
  const value = calendar.getFirstPropertyValue(name);
  return value === null ? null : value.toString();
};

process.stdout.write(
  JSON.stringify({
    name: prop("x-wr-calname"),
    timezone: prop("x-wr-timezone"),
    refresh_interval: prop("refresh-interval"),
    timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
    events,
  }),
);
