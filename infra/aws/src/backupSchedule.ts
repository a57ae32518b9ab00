/**
 * The guide's backup schedule on AWS, shared by the backup bucket's lifecycle rules and the AWS Backup
 * plan. The counts are those `todobox backup --keep-daily 7 --keep-weekly 4 --keep-monthly 12` keeps on a
 * server (infra/server/todobox-backup.service); S3 and AWS Backup prune by age, so each tier keeps its
 * count plus a margin, and the newest backup of a tier is never the one that expires.
 */
export const BACKUP_TIERS = {
  daily: { keep: 7, expireAfterDays: 8 },
  weekly: { keep: 4, expireAfterDays: 35 },
  monthly: { keep: 12, expireAfterDays: 400 },
} as const;
export type BackupTier = keyof typeof BACKUP_TIERS;

/** The folder under BACKUP_S3_URL each tier's backups go to: `<prefix>/<tier>/`. */
export const BACKUP_S3_PREFIX = 'todobox';
export const tierPrefix = (tier: BackupTier): string => `${BACKUP_S3_PREFIX}/${tier}/`;

/**
 * The monthly archive leaves S3 Standard after a month: to Glacier Flexible Retrieval (restored in hours),
 * then, once Glacier's 90-day minimum has passed, to Deep Archive (12 to 48 hours) for the rest of its year.
 */
export const MONTHLY_ARCHIVE_TRANSITIONS = [
  { days: 30, storageClass: 'GLACIER' },
  { days: 120, storageClass: 'DEEP_ARCHIVE' },
] as const;

/**
 * How long an overwritten or expired backup stays as a noncurrent version. The hosts may overwrite a key
 * but never delete a version, so this is how long someone has to notice a host that overwrote the history.
 */
export const NONCURRENT_VERSION_DAYS = 30;

/**
 * AWS Backup's tiers of the RDS database, in UTC: after RDS's own backup window (03:00-04:00), weekly
 * on Sundays and monthly on the 1st, each copied to the second region's vault.
 */
export const AWS_BACKUP_RULES = {
  weekly: { schedule: 'cron(0 5 ? * SUN *)', deleteAfterDays: BACKUP_TIERS.weekly.expireAfterDays },
  monthly: { schedule: 'cron(0 5 1 * ? *)', deleteAfterDays: BACKUP_TIERS.monthly.expireAfterDays },
} as const;
