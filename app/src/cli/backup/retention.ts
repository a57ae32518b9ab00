/**
 * Which backups a grandfather-father-son schedule keeps. Periods are calendar days, ISO weeks (Monday
 * to Sunday) and calendar months in one time zone (UTC unless told otherwise), counted back from the
 * period holding `now`: "the last 7 days" is today and the 6 days before it, whether or not each had a
 * backup, so a missing day is not made up by an older one. Each period keeps its newest backup.
 */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
  /** The newest N backups, kept whatever their periods (the older `--keep`). */
  newest: number;
  /** An IANA time zone name, e.g. "UTC" or "Europe/Berlin". */
  timeZone: string;
}

export interface RetentionCandidate {
  /** The backup's file name (its identity; the selection never reads the file). */
  name: string;
  takenAt: Date;
  /** Written to the end, with its manifest: only such a backup may stand in for the newest good one. */
  complete: boolean;
}

export interface RetentionDecision {
  candidate: RetentionCandidate;
  keep: boolean;
  /** Why it is kept, e.g. ["daily 2026-11-30", "weekly 2026-W49"]; empty when it is pruned. */
  reasons: string[];
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError naming the zone when it is not one the runtime knows. */
export function checkTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', calendar: 'iso8601' });
    } catch {
      throw new RangeError(`"${timeZone}" is not a time zone this system knows (use an IANA name such as UTC or Europe/Berlin)`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function civilDate(instant: Date, timeZone: string): CivilDate {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(instant).map((part) => [part.type, part.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

interface Periods {
  day: number;
  week: number;
  month: number;
  labels: { day: string; week: string; month: string };
}

/** Consecutive numbers for consecutive days, ISO weeks and months, with their names. */
function periodsOf(instant: Date, timeZone: string): Periods {
  const { year, month, day } = civilDate(instant, timeZone);
  const dayNumber = Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
  const weekday = (new Date(dayNumber * DAY_MS).getUTCDay() + 6) % 7;
  const monday = dayNumber - weekday;
  // An ISO week belongs to the year of its Thursday.
  const thursday = new Date((monday + 3) * DAY_MS);
  const isoYear = thursday.getUTCFullYear();
  const isoWeek = 1 + Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS));
  return {
    day: dayNumber,
    // 1970-01-01 was a Thursday, so Mondays fall on day numbers of the form 7k - 3.
    week: (monday + 3) / 7,
    month: year * 12 + (month - 1),
    labels: {
      day: `${year}-${pad(month)}-${pad(day)}`,
      week: `${isoYear}-W${pad(isoWeek)}`,
      month: `${year}-${pad(month)}`,
    },
  };
}

type Tier = 'daily' | 'weekly' | 'monthly';
const TIERS: Array<{ tier: Tier; period: 'day' | 'week' | 'month' }> = [
  { tier: 'daily', period: 'day' },
  { tier: 'weekly', period: 'week' },
  { tier: 'monthly', period: 'month' },
];

/**
 * Decides, for every candidate, whether the policy keeps it. The newest complete backup is always
 * kept, so a run can never leave the folder without a good backup, and a complete backup takes its
 * period's place before an incomplete one does. Decisions come newest first.
 */
export function selectRetention(candidates: RetentionCandidate[], policy: RetentionPolicy, now: Date): RetentionDecision[] {
  const current = periodsOf(now, policy.timeZone);
  const newestFirst = [...candidates].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || b.name.localeCompare(a.name));
  const reasons = new Map<RetentionCandidate, string[]>(newestFirst.map((candidate) => [candidate, []]));
  const newestComplete = newestFirst.find((candidate) => candidate.complete);
  if (newestComplete) reasons.get(newestComplete)?.push('newest complete backup');
  newestFirst.slice(0, policy.newest).forEach((candidate) => reasons.get(candidate)?.push(`newest ${policy.newest}`));

  const completeFirst = [...newestFirst.filter((c) => c.complete), ...newestFirst.filter((c) => !c.complete)];
  for (const { tier, period } of TIERS) {
    const filled = new Set<number>();
    for (const candidate of completeFirst) {
      const periods = periodsOf(candidate.takenAt, policy.timeZone);
      if (current[period] - periods[period] < policy[tier] && !filled.has(periods[period])) {
        filled.add(periods[period]);
        reasons.get(candidate)?.push(`${tier} ${periods.labels[period]}`);
      }
    }
  }
  return newestFirst.map((candidate) => {
    const why = reasons.get(candidate) ?? [];
    return { candidate, keep: why.length > 0, reasons: why };
  });
}
