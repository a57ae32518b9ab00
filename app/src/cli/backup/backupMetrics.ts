import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from './backupFiles';

export const BACKUP_METRICS_FILE = 'todobox_backup.prom';

/** The text node_exporter's textfile collector reads: the time and size of the last successful backup. */
export function backupMetricsText(finishedAt: Date, sizeBytes: number): string {
  return [
    '# HELP todobox_backup_last_success_timestamp_seconds Unix time at which the last successful backup finished.',
    '# TYPE todobox_backup_last_success_timestamp_seconds gauge',
    `todobox_backup_last_success_timestamp_seconds ${Math.floor(finishedAt.getTime() / 1000)}`,
    '# HELP todobox_backup_last_size_bytes Size of the compressed file of the last successful backup.',
    '# TYPE todobox_backup_last_size_bytes gauge',
    `todobox_backup_last_size_bytes ${sizeBytes}`,
    '',
  ].join('\n');
}

/**
 * Replaces `<dir>/todobox_backup.prom` through a rename, as the textfile collector requires (it must
 * never read a half-written file). World-readable: node_exporter runs as its own user.
 */
export async function writeBackupMetrics(dir: string, finishedAt: Date, sizeBytes: number): Promise<string> {
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, BACKUP_METRICS_FILE);
  await writeFileAtomically(file, backupMetricsText(finishedAt, sizeBytes), 0o644);
  return file;
}
