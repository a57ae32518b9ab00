/** A moment to the minute in UTC, "2026-05-17 09:30": the same on every server, whatever its time zone. */
export function formatUtcMinute(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}
