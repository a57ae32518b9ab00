/** A moment to the minute in UTC, "2026-05-17 09:30": the same on every server, whatever its time zone. */
export function formatUtcMinute(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** One formatter for every day shown: building an Intl.DateTimeFormat costs about 45 µs, using one about 1 µs. */
const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

/** Days shown lately: a list shows the same few days over and over. */
const shownDays = new Map<string, string>();
const SHOWN_DAYS_KEPT = 1_000;

/** A calendar day as people read it, "Tue, 1 Dec 2026"; a YYYY-MM-DD string is that day, not an instant. */
export function formatDay(value: Date | string): string {
  if (typeof value !== 'string') return DAY_FORMAT.format(value);
  let shown = shownDays.get(value);
  if (shown === undefined) {
    shown = DAY_FORMAT.format(new Date(`${value}T00:00:00`));
    if (shownDays.size >= SHOWN_DAYS_KEPT) shownDays.clear();
    shownDays.set(value, shown);
  }
  return shown;
}
