import { AWS_RETRY_FUNCTION } from './awsRetry';

/** node_exporter's textfile folder on Ubuntu; the monitoring host's node_exporter reads it. */
export const TEXTFILE_DIRECTORY = '/var/lib/prometheus/node-exporter';
export const RDS_BACKUP_METRIC_SCRIPT = '/usr/local/sbin/todobox-rds-backup-metric';
export const RDS_BACKUP_METRIC_UNIT = 'todobox-rds-backup-metric';

/**
 * On AWS the backups are RDS's own, continuous: LatestRestorableTime, the newest moment a point-in-time restore
 * reaches, moves every few minutes while they work. Written as todobox_backup_last_success_timestamp_seconds, it
 * gives BackupTooOld the meaning it has where `todobox backup` runs: no restorable backup for over 26 hours.
 */
export function rdsBackupMetricScript(region: string, databaseIdentifier: string): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    ...AWS_RETRY_FUNCTION,
    `latest=$(aws_retry /snap/bin/aws rds describe-db-instances --region ${region} --db-instance-identifier '${databaseIdentifier}' \\`,
    "  --query 'DBInstances[0].LatestRestorableTime' --output text)",
    // No restorable time yet (a new database): write nothing, and BackupTooOld's absent_over_time says so.
    'if [ "$latest" = "None" ]; then exit 0; fi',
    'seconds=$(date -d "$latest" +%s)',
    `tmp=$(mktemp ${TEXTFILE_DIRECTORY}/todobox_backup.prom.XXXXXX)`,
    '{',
    "  echo '# HELP todobox_backup_last_success_timestamp_seconds The newest moment an RDS point-in-time restore reaches.'",
    "  echo '# TYPE todobox_backup_last_success_timestamp_seconds gauge'",
    '  echo "todobox_backup_last_success_timestamp_seconds{source=\\"rds\\"} $seconds"',
    '} > "$tmp"',
    'chmod 0644 "$tmp"',
    `mv "$tmp" ${TEXTFILE_DIRECTORY}/todobox_backup.prom`,
  ].join('\n');
}

export const RDS_BACKUP_METRIC_SERVICE = `[Unit]
Description=Write the RDS restorable time for node_exporter (BackupTooOld)
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=${RDS_BACKUP_METRIC_SCRIPT}
`;

export const RDS_BACKUP_METRIC_TIMER = `[Unit]
Description=Every 5 minutes, the RDS restorable time for node_exporter

[Timer]
OnBootSec=2min
OnUnitActiveSec=5min

[Install]
WantedBy=timers.target
`;
