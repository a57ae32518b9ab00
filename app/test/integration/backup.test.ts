import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadConfig } from '../../src/config';
import { createDatabase } from '../../src/db/database';
import { backupMetricsText } from '../../src/cli/backup/backupMetrics';
import { createBackup } from '../../src/cli/backup/createBackup';
import { MIGRATIONS } from '../../src/db/migrations';
import {
  changeData,
  corruptedCopy,
  promtoolVerdict,
  seedAccountsAndTodos,
  tableContents,
  truncatedCopy,
} from '../helpers/backupScenario';
import { todobox } from '../helpers/cli';

// SQLite backups are file copies and need no server, so this suite runs the same in every engine's project.
let dir: string;
let env: Record<string, string>;
const NO_RETENTION = { daily: 0, weekly: 0, monthly: 0, newest: 0, timeZone: 'UTC' };
const backupsDir = () => path.join(dir, 'backups');
const metricsFile = () => path.join(dir, 'textfile', 'todobox_backup.prom');

async function backUp(extraArgs: string[] = []): Promise<string> {
  const result = await todobox(['backup', '--output', backupsDir(), ...extraArgs], env);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  const file = /^Backup written: (\S+) \(/m.exec(result.stdout)?.[1];
  if (!file) throw new Error(`no backup path in: ${result.stdout}`);
  return file;
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-backup-'));
  env = {
    PATH: process.env.PATH ?? '',
    DATABASE_DEFAULT: 'sqlite',
    DATABASE_NAME: path.join(dir, 'instance', 'todobox.db'),
    BACKUP_METRICS_DIR: path.join(dir, 'textfile'),
  };
  expect((await todobox(['db:migrate'], env)).code).toBe(0);
  await seedAccountsAndTodos(env);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('todobox backup, backup:verify and restore on SQLite', () => {
  it('backs up, verifies, and restores exactly the data that was backed up', async () => {
    const before = await tableContents(env);
    expect(before.users).toHaveLength(2);
    expect(before.todos).toHaveLength(3);

    const file = await backUp();
    expect(path.basename(file)).toMatch(/^todobox_sqlite_\d{8}-\d{6}\.sqlite\.gz$/);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const verify = await todobox(['backup:verify', file], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('PASS  integrity: PRAGMA integrity_check: ok');
    expect(verify.stdout).toMatch(/^PASS {2}\S+todobox_sqlite_/m);

    await changeData(env);
    expect(await tableContents(env)).not.toEqual(before);

    const restore = await todobox(['restore', file, '--yes'], env);
    expect(restore).toMatchObject({ code: 0, stderr: '' });
    expect(restore.stdout).toContain('Restored 2 user(s) and 3 todo(s).');
    expect(restore.stdout).toMatch(/Migrations: \d+ applied, 0 pending/);
    expect(await tableContents(env)).toEqual(before);

    const previous = /kept as (\S+)$/m.exec(restore.stdout)?.[1] ?? '';
    expect(path.basename(previous)).toMatch(/^todobox\.db\.before-restore-\d{8}-\d{6}$/);
    expect(await tableContents({ ...env, DATABASE_NAME: previous })).not.toEqual(before);
  });

  it('writes a manifest beside the backup, which verify holds the backup to and restore honours', async () => {
    const run = await todobox(['backup', '--output', backupsDir()], env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const file = /^Backup written: (\S+) \(.* bytes\) in \d+\.\d s$/m.exec(run.stdout)?.[1] ?? '';
    expect(run.stdout).toMatch(new RegExp(`^Checked: \\d+ rows in \\d+ tables, schema at ${MIGRATIONS[MIGRATIONS.length - 1].name}$`, 'm'));
    expect(run.stdout).toContain(`Manifest written: ${file}.manifest.json`);
    expect(run.stdout).toMatch(/^Retention \(daily 14, weekly 8, monthly 12, newest 0, UTC\): 1 kept, 0 deleted$/m);

    const manifestFile = `${file}.manifest.json`;
    expect(fs.statSync(manifestFile).mode & 0o077).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    const digest = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(manifest).toMatchObject({
      format: 1,
      engine: 'sqlite',
      appVersion: JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version,
      schema: { latestMigration: MIGRATIONS[MIGRATIONS.length - 1].name, appliedMigrations: MIGRATIONS.map((migration) => migration.name) },
      tables: { users: 2, todo: 3, backup_lock: 0, schema_migrations: MIGRATIONS.length },
      file: { name: path.basename(file), sizeBytes: fs.statSync(file).size, sha256: digest },
    });
    expect(Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)).toBe(manifest.durationMs);
    expect(manifest).not.toHaveProperty('binaryLog');

    const verify = await todobox(['backup:verify', file], env);
    expect(verify.stdout).toContain('PASS  rows: ');
    expect(verify.code).toBe(0);

    const copy = path.join(dir, 'copy', path.basename(file));
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(file, copy);
    fs.writeFileSync(`${copy}.manifest.json`, JSON.stringify({ ...manifest, file: { ...manifest.file, sha256: '0'.repeat(64) } }));
    const mismatch = await todobox(['backup:verify', copy], env);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain(`FAIL  checksum: the file is ${manifest.file.sizeBytes} bytes with SHA-256 ${digest}, but`);
    const before = await tableContents(env);
    await changeData(env);
    const refused = await todobox(['restore', copy, '--yes'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Refusing to restore a backup that fails verification');
    expect(await tableContents(env)).not.toEqual(before);

    fs.writeFileSync(`${copy}.manifest.json`, '{"format": 1}');
    const invalid = await todobox(['backup:verify', copy], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('FAIL  manifest: todobox_sqlite_');
  });

  it('verify FAILs a truncated and a corrupted copy, and restore refuses them', async () => {
    const file = await backUp();
    const truncated = truncatedCopy(file, path.join(dir, 'truncated.sqlite.gz'));
    const corrupted = corruptedCopy(file, path.join(dir, 'corrupted.sqlite.gz'));
    for (const damaged of [truncated, corrupted]) {
      const verify = await todobox(['backup:verify', damaged], env);
      expect(verify.code).toBe(1);
      expect(verify.stdout).toMatch(/^ {2}FAIL {2}gzip: the file does not decompress/m);
      expect(verify.stdout).toMatch(/^FAIL {2}/m);
    }
    const before = await tableContents(env);
    const restore = await todobox(['restore', corrupted, '--yes'], env);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('Refusing to restore a backup that fails verification');
    expect(await tableContents(env)).toEqual(before);
  });

  it('verify FAILs an intact gzip of a file that is not a TodoBox database', async () => {
    const other = path.join(dir, 'other.sqlite.gz');
    fs.writeFileSync(other, zlib.gzipSync(Buffer.from('not a database')));
    const verify = await todobox(['backup:verify', other], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('PASS  gzip');
    expect(verify.stdout).toContain('FAIL  header: not an SQLite database file');
  });

  it('writes a well-formed .prom file with the time and size of the last success', async () => {
    const startedAt = Math.floor(Date.now() / 1000);
    const file = await backUp();
    const text = fs.readFileSync(metricsFile(), 'utf8');
    const timestamp = Number(/^todobox_backup_last_success_timestamp_seconds (\d+)$/m.exec(text)?.[1]);
    expect(timestamp).toBeGreaterThanOrEqual(startedAt);
    expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(text).toContain(`todobox_backup_last_size_bytes ${fs.statSync(file).size}\n`);
    expect(text).toContain('# TYPE todobox_backup_last_success_timestamp_seconds gauge');
    expect(fs.statSync(metricsFile()).mode & 0o004).toBe(0o004);
    expect(fs.readdirSync(path.dirname(metricsFile()))).toEqual(['todobox_backup.prom']);
    const verdict = promtoolVerdict(metricsFile());
    if (verdict) expect(verdict).toMatchObject({ status: 0 });
  });

  it('a failing backup exits 1, leaves no file and keeps the previous metric', async () => {
    await backUp();
    const recorded = fs.readFileSync(metricsFile(), 'utf8');
    const failedDir = path.join(dir, 'failed');
    const missing = { ...env, DATABASE_NAME: path.join(dir, 'nowhere', 'todobox.db') };
    const result = await todobox(['backup', '--output', failedDir], missing);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Backup failed: There is no SQLite database at');
    expect(fs.existsSync(failedDir)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'nowhere', 'todobox.db'))).toBe(false);
    expect(fs.readFileSync(metricsFile(), 'utf8')).toBe(recorded);
  });

  it('prunes to the daily schedule with each backup\'s manifest, and leaves other engines\' and foreign files alone', async () => {
    const config = loadConfig(env, { readDotenv: false });
    const retention = { ...NO_RETENTION, daily: 2 };
    const runAt = (iso: string) => createBackup(config, { outputDir: backupsDir(), retention, env, now: () => new Date(iso) });
    const first = await runAt('2026-12-01T02:00:00Z');
    const second = await runAt('2026-12-02T02:00:00Z');
    const unrelated = ['todobox_mysql_20261201-020000.sql.gz', 'notes.txt', 'todobox_sqlite_20261130-020000.sqlite.gz'];
    for (const name of unrelated) fs.writeFileSync(path.join(backupsDir(), name), 'not a gzip file');
    const third = await runAt('2026-12-03T02:00:00Z');
    expect(third.pruned).toEqual([first.file, first.manifestFile]);
    const names = (...results: Array<typeof first>) => results.flatMap((result) => [path.basename(result.file), path.basename(result.manifestFile)]);
    expect(fs.readdirSync(backupsDir()).sort()).toEqual([...unrelated, ...names(second, third)].sort());

    const nothingScheduled = await createBackup(config, { outputDir: backupsDir(), retention: NO_RETENTION, env, now: () => new Date('2026-12-04T02:00:00Z') });
    expect(fs.readdirSync(backupsDir()).sort()).toEqual([...unrelated, ...names(nothingScheduled)].sort());
  });

  it('--keep keeps the newest n besides the schedule, and bad retention options change nothing', async () => {
    const first = await backUp(['--keep-daily', '0', '--keep-weekly', '0', '--keep-monthly', '0']);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await backUp(['--keep-daily', '0', '--keep-weekly', '0', '--keep-monthly', '0', '--keep', '2']);
    expect(fs.readdirSync(backupsDir()).filter((name) => name.endsWith('.sqlite.gz')).sort()).toEqual([first, second].map((file) => path.basename(file)));
    for (const [args, message] of [
      [['--keep', '0'], 'must be a whole number of at least 1'],
      [['--keep-daily', 'seven'], 'must be a whole number (0 keeps none of that tier)'],
      [['--time-zone', 'Mars/Olympus'], '"Mars/Olympus" is not a time zone'],
    ]) {
      const invalid = await todobox(['backup', '--output', backupsDir(), ...args], env);
      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toContain(message);
    }
    expect(fs.readdirSync(backupsDir())).toHaveLength(4);
  });

  it('restore refuses while the database is open elsewhere, and without --yes when there is no terminal', async () => {
    const file = await backUp();
    const noConfirmation = await todobox(['restore', file], env);
    expect(noConfirmation.code).toBe(1);
    expect(noConfirmation.stderr).toContain('without confirmation: add --yes');

    const openElsewhere = await createDatabase(loadConfig(env, { readDotenv: false }).database);
    try {
      await openElsewhere.models.User.count();
      const restore = await todobox(['restore', file, '--yes'], env);
      expect(restore.code).toBe(1);
      expect(restore.stderr).toContain('The database is in use');
    } finally {
      await openElsewhere.close();
    }
    expect(fs.readdirSync(path.dirname(env.DATABASE_NAME)).filter((name) => name.includes('before-restore'))).toEqual([]);
  });

  it('restore refuses a backup of another engine', async () => {
    const dump = path.join(dir, 'todobox_mysql_20240101-020000.sql.gz');
    const sql = '-- MariaDB dump 10.19\nCREATE TABLE `users` (\nCREATE TABLE `todo` (\nCREATE TABLE `schema_migrations` (\n-- Dump completed on 2024-01-01\n';
    fs.writeFileSync(dump, zlib.gzipSync(sql));
    expect((await todobox(['backup:verify', dump], env)).code).toBe(0);
    const restore = await todobox(['restore', dump, '--yes'], env);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('is a mysql backup, but DATABASE_DEFAULT is sqlite');
  });

  it('names backups by UTC time, so two in one second are refused rather than overwritten', async () => {
    const config = loadConfig(env, { readDotenv: false });
    const now = () => new Date('2026-03-04T05:06:07Z');
    const first = await createBackup(config, { outputDir: backupsDir(), retention: NO_RETENTION, env, now });
    expect(path.basename(first.file)).toBe('todobox_sqlite_20260304-050607.sqlite.gz');
    await expect(createBackup(config, { outputDir: backupsDir(), retention: NO_RETENTION, env, now })).rejects.toThrow('already exists');
    expect(backupMetricsText(new Date('2026-03-04T05:06:07.900Z'), 42)).toContain('todobox_backup_last_success_timestamp_seconds 1772600767\n');
  });
});
