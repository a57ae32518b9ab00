import { Command, InvalidArgumentError } from 'commander';
import { Config, loadConfig } from '../../config';
import { formatBytes } from '../backup/backupFiles';
import { createBackup } from '../backup/createBackup';
import { dumpProgressDisplay } from '../backup/dumpProgress';
import { describeHolder } from '../backup/backupLock';
import { checkTimeZone } from '../backup/retention';
import { restoreBackup } from '../backup/restoreBackup';
import { parseS3Url, S3_URL_FORM, S3Location } from '../../shared';
import { withLocalBackup } from '../backup/s3Source';
import { formatVerification, verifyBackup } from '../backup/verifyBackup';
import { CliError } from '../cliError';
import type { CliIo } from '../io';

/** The guide's schedule: daily full backups, weekly ones kept longer (the offsite tier), monthly archives. */
const DEFAULT_RETENTION = { daily: 14, weekly: 8, monthly: 12 };

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return parsed;
}

function s3Destination(value: string): S3Location {
  const parsed = parseS3Url(value);
  if ('problem' in parsed) throw new InvalidArgumentError(parsed.problem);
  return parsed;
}

/** What reading a backup from the store needs: the engine whose backups count, and how to reach the store. */
function storeSettings(config: Config) {
  return { engine: config.database.dialect, store: config.backup.s3Store };
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number (0 keeps none of that tier)');
  return Number(value);
}

function timeZone(value: string): string {
  try {
    checkTimeZone(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

interface BackupCommandOptions {
  output?: string;
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
  keep?: number;
  timeZone: string;
  upload?: S3Location;
}

function describeTarget(database: Config['database']): string {
  if (database.dialect === 'sqlite') return `the SQLite database ${database.storage}`;
  return `the ${database.dialect} database "${database.name}" on ${database.host}:${database.port}`;
}

export function registerBackupCommands(program: Command, io: CliIo): void {
  const loadCliConfig = () => loadConfig(io.env, { readDotenv: io.readDotenv });

  program
    .command('backup')
    .description('write a compressed backup of the database and its manifest to BACKUP_DIR, then prune to the schedule')
    .addHelpText(
      'after',
      '\nSQLite is copied with VACUUM INTO (safe while the app runs); MariaDB/MySQL with mysqldump --single-transaction,' +
        '\nPostgreSQL with pg_dump. The password reaches the dump program through its environment only.' +
        '\nBeside each backup, <file>.manifest.json records the engine, app and schema version, rows per table,' +
        '\nSHA-256, size and duration (and the binary-log position on MariaDB/MySQL); backup:verify checks them.' +
        '\nPruning keeps the newest backup of each of the last --keep-daily days, --keep-weekly ISO weeks and' +
        '\n--keep-monthly months (calendar periods in --time-zone), plus the newest --keep, and never the newest' +
        '\ncomplete backup; it deletes a backup with its manifest, and only files of the configured engine.' +
        '\nA lock in the database lets one run at a time proceed; a second exits 1 naming the holder (host, pid,' +
        '\nsince). A crashed run\'s lock expires after two minutes.' +
        '\nWith BACKUP_METRICS_DIR set, each success rewrites todobox_backup.prom there for node_exporter.' +
        '\nDaily at 02:00 from cron: 0 2 * * * cd /var/www/todobox && npx todobox backup',
    )
    .option('--output <dir>', 'folder for the backup file (default: BACKUP_DIR)')
    .option('--keep-daily <n>', 'days whose newest backup is kept', wholeNumber, DEFAULT_RETENTION.daily)
    .option('--keep-weekly <n>', 'ISO weeks (Monday to Sunday) whose newest backup is kept', wholeNumber, DEFAULT_RETENTION.weekly)
    .option('--keep-monthly <n>', 'months whose newest backup is kept', wholeNumber, DEFAULT_RETENTION.monthly)
    .option('--keep <n>', 'also keep the newest n backups, whatever their days', positiveInteger)
    .option('--time-zone <zone>', 'the IANA time zone whose days, weeks and months the schedule counts', timeZone, 'UTC')
    .option('--upload <url>', `also store the backup and its manifest at ${S3_URL_FORM} (default: BACKUP_S3_URL)`, s3Destination)
    .action(async (options: BackupCommandOptions) => {
      const config = loadCliConfig();
      const destination = options.upload ?? config.backup.s3Url;
      const progress = dumpProgressDisplay(io.progressStream);
      const retention = {
        daily: options.keepDaily,
        weekly: options.keepWeekly,
        monthly: options.keepMonthly,
        newest: options.keep ?? 0,
        timeZone: options.timeZone,
      };
      const result = await createBackup(config, {
        outputDir: options.output ?? config.backup.dir,
        retention,
        onDumpProgress: progress.update,
        metricsDir: config.backup.metricsDir,
        upload: destination ? { destination, store: config.backup.s3Store } : undefined,
        env: io.env,
      }).finally(() => progress.stop());
      if (result.tookOverLockFrom) io.out(`Took over the expired backup lock of ${describeHolder(result.tookOverLockFrom)}\n`);
      const { manifest } = result;
      const rows = Object.values(manifest.tables).reduce((sum, count) => sum + count, 0);
      io.out(`Backup written: ${result.file} (${formatBytes(result.sizeBytes)}, ${result.sizeBytes} bytes) in ${(manifest.durationMs / 1000).toFixed(1)} s\n`);
      io.out(`Checked: ${rows} rows in ${Object.keys(manifest.tables).length} tables, schema at ${manifest.schema.latestMigration ?? 'no migration'}\n`);
      if (manifest.binaryLogNote) io.out(`No binary-log position recorded: ${manifest.binaryLogNote}\n`);
      io.out(`Manifest written: ${result.manifestFile}\n`);
      for (const url of result.uploaded) io.out(`Uploaded ${url}\n`);
      const kept = result.retention.filter((decision) => decision.keep).length;
      io.out(
        `Retention (daily ${retention.daily}, weekly ${retention.weekly}, monthly ${retention.monthly}, newest ${retention.newest}, ${retention.timeZone}): ` +
          `${kept} kept, ${result.retention.length - kept} deleted\n`,
      );
      for (const file of result.pruned) io.out(`Deleted old backup ${file}\n`);
      if (result.metricsFile) io.out(`Recorded the success in ${result.metricsFile}\n`);
    });

  program
    .command('backup:verify')
    .description('check that a backup decompresses, holds a complete database and matches its manifest; exits 1 on FAIL')
    .argument('<file>', `a .sqlite.gz or .sql.gz file written by "todobox backup", or its ${S3_URL_FORM} copy`)
    .option('--latest', 'verify the newest backup of the configured engine in the s3:// folder given', false)
    .action(async (file: string, options: { latest: boolean }) => {
      const source = { latest: options.latest, settings: () => storeSettings(loadCliConfig()), env: io.env };
      const verification = await withLocalBackup(file, source, async (local, origin) => {
        const result = await verifyBackup(local);
        io.out(formatVerification(origin === local ? result : { ...result, file: origin }));
        return result;
      });
      if (!verification.passed) throw new CliError('The backup failed verification: do not rely on it.');
    });

  program
    .command('restore')
    .description('replace the database with a verified backup (asks for confirmation unless --yes)')
    .addHelpText(
      'after',
      '\nStop TodoBox first ("systemctl stop todobox"): a restore replaces every table the backup holds.' +
        '\nSQLite refuses while the database is open elsewhere and keeps the old file as <name>.before-restore-<time>.' +
        '\nPostgreSQL restores in one transaction; MariaDB/MySQL table by table. Run "todobox db:migrate" after' +
        '\nrestoring a backup from an older version, then start TodoBox again.',
    )
    .argument('<file>', `a backup written by "todobox backup" for the configured engine, or its ${S3_URL_FORM} copy`)
    .option('--latest', 'restore the newest backup of the configured engine in the s3:// folder given', false)
    .option('--yes', 'restore without asking for confirmation', false)
    .action(async (file: string, options: { yes: boolean; latest: boolean }) => {
      const config = loadCliConfig();
      const what = `${describeTarget(config.database)} with ${options.latest ? `the newest backup in ${file}` : file}`;
      if (!options.yes) {
        if (!io.interactive) throw new CliError(`Refusing to replace ${what} without confirmation: add --yes.`);
        if (!(await io.confirm(`Replace ${what}? The current data will be overwritten.`))) {
          throw new CliError('Cancelled: nothing was restored.');
        }
      }
      const source = { latest: options.latest, settings: () => storeSettings(config), env: io.env };
      const { result, origin } = await withLocalBackup(file, source, async (local, origin) => ({
        result: await restoreBackup(config, local, io.env),
        origin,
      }));
      io.out(`Restored ${describeTarget(config.database)} with ${origin}.\n`);
      if (result.previousFile) io.out(`The previous database file is kept as ${result.previousFile}\n`);
      const { executed, pending } = result.migrations;
      io.out(`Migrations: ${executed.length} applied, ${pending.length} pending${pending.length ? ' (run "todobox db:migrate")' : ''}\n`);
      io.out(`Restored ${result.users} user(s) and ${result.todos} todo(s).\n`);
    });
}
