/**
 * Calendar days as YYYY-MM-DD strings in the server's local time zone: a todo is planned for a
 * day, not an instant, so plain strings compare and store the same on every database engine.
 */
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface DayRange {
  start: string;
  end: string;
}

function formatDay(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

/** True for a real calendar day such as 2026-02-28 (and not 2026-02-30). */
export function isValidDay(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DAY_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day;
}

function parseDay(day: string): Date {
  if (!isValidDay(day)) throw new RangeError(`Not a calendar day: ${day}`);
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year, month - 1, date);
}

export function today(now: Date = new Date()): string {
  return formatDay(now);
}

export function addDays(day: string, days: number): string {
  const date = parseDay(day);
  date.setDate(date.getDate() + days);
  return formatDay(date);
}

export function tomorrow(now: Date = new Date()): string {
  return addDays(today(now), 1);
}

/** The ISO week (Monday to Sunday) that contains `day`. */
export function weekRange(day: string): DayRange {
  const daysSinceMonday = (parseDay(day).getDay() + 6) % 7;
  const start = addDays(day, -daysSinceMonday);
  return { start, end: addDays(start, 6) };
}

export function monthRange(day: string): DayRange {
  const date = parseDay(day);
  const start = formatDay(new Date(date.getFullYear(), date.getMonth(), 1));
  const end = formatDay(new Date(date.getFullYear(), date.getMonth() + 1, 0));
  return { start, end };
}
