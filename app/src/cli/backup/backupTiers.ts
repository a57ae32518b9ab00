/**
 * The guide's schedule in an object store: every backup is a daily one, the first of an ISO week also
 * a weekly one, the first of a month also a monthly one; each tier is a folder its lifecycle rule expires.
 */
export const BACKUP_TIERS = ['daily', 'weekly', 'monthly'] as const;
export type BackupTier = (typeof BACKUP_TIERS)[number];

/** The UTC time in a backup's name ("todobox_sqlite_20261101-020000.sqlite.gz"), or undefined. */
function stampOf(name: string): Date | undefined {
  const match = /_(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\./.exec(name);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** "2026-W01" for 1 January 2026: ISO 8601 weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): string {
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 3 - ((date.getUTCDay() + 6) % 7)));
  const dayOfYear = (thursday.getTime() - Date.UTC(thursday.getUTCFullYear(), 0, 1)) / 86_400_000;
  const week = Math.floor(dayOfYear / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The period a backup stands for in `tier` (its day, ISO week or month, in UTC as its name is), or undefined for a name without a time. */
export function tierPeriod(tier: BackupTier, name: string): string | undefined {
  const date = stampOf(name);
  if (!date) return undefined;
  if (tier === 'weekly') return isoWeek(date);
  const iso = date.toISOString();
  return tier === 'monthly' ? iso.slice(0, 7) : iso.slice(0, 10);
}
