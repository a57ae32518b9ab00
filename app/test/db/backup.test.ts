import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Sequelize } from 'sequelize';
import {
  changeData,
  commandExists,
  corruptedCopy,
  promtoolVerdict,
  recordingWrapper,
  seedAccountsAndTodos,
  tableContents,
  truncatedCopy,
} from '../helpers/backupScenario';
import { todobox } from '../helpers/cli';
import { describeWithService, MARIADB_ENV, mariaDbAvailable, POSTGRES_ENV, postgresAvailable } from '../helpers/requiredService';
import { uniqueDatabaseName } from '../helpers/testDatabase';
import { MIGRATIONS } from '../../src/db/migrations';
import { dumpCommand } from '../../src/cli/backup/clientTools';
import { loadConfig } from '../../src/config';

const DATABASE = uniqueDatabaseName('backup');
/** A password that cannot appear in any output by coincidence. */
const WRONG_PASSWORD = 'Wr0ng-backup-secret-7qz';

interface ServerEngine {
  engine: 'mysql' | 'postgres';
  name: string;
  env: Record<string, string>;
  available: () => boolean;
  dump: string;
  replay: string;
  statements: { create: string; drop: string };
}

const SERVER_ENGINES: ServerEngine[] = [
  {
    engine: 'mysql',
    name: 'MariaDB',
    env: MARIADB_ENV,
    available: mariaDbAvailable,
    dump: 'mysqldump',
    replay: 'mysql',
    statements: {
      create: `CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      drop: `DROP DATABASE IF EXISTS \`${DATABASE}\``,
    },
  },
  {
    engine: 'postgres',
    name: 'PostgreSQL',
    env: POSTGRES_ENV,
    available: postgresAvailable,
    dump: 'pg_dump',
    replay: 'psql',
    statements: { create: `CREATE DATABASE "${DATABASE}"`, drop: `DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)` },
  },
];

/** Runs statements through the engine's standing test database (a database cannot drop itself), or in `database`. */
async function onServer(server: ServerEngine, statements: string[], database = server.env.DB_NAME): Promise<void> {
  const { env } = server;
  const admin = new Sequelize(database, env.DB_USER, env.DB_PW, {
    dialect: server.engine,
    host: env.DB_URL,
    port: Number(env.DB_PORT),
    logging: false,
  });
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.close();
  }
}

for (const server of SERVER_ENGINES) {
  const tools = [server.dump, server.replay];
  const toolsPresent = tools.every(commandExists);
  const service = toolsPresent
    ? `${server.name} (${server.env.DB_URL}:${server.env.DB_PORT}, user ${server.env.DB_USER})`
    : `the ${server.name} client tools (${tools.join(', ')})`;

  describeWithService(service, toolsPresent && server.available(), `todobox backup and restore on ${server.name}`, () => {
    let dir: string;
    let env: Record<string, string>;
    let logs: Record<string, string>;
    const backupsDir = () => path.join(dir, 'backups');
    const metricsFile = () => path.join(dir, 'textfile', 'todobox_backup.prom');
    const recordedArgs = (tool: string) => (fs.existsSync(logs[tool]) ? fs.readFileSync(logs[tool], 'utf8') : '');

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `todobox-backup-${server.engine}-`));
      const binDir = path.join(dir, 'bin');
      logs = Object.fromEntries(tools.map((tool) => [tool, recordingWrapper(binDir, tool).log]));
      env = {
        PATH: `${binDir}:${process.env.PATH ?? ''}`,
        ...server.env,
        DB_NAME: DATABASE,
        BACKUP_METRICS_DIR: path.join(dir, 'textfile'),
      };
      await onServer(server, [server.statements.drop, server.statements.create]);
      expect((await todobox(['db:migrate'], env)).code).toBe(0);
      await seedAccountsAndTodos(env);
    });
    afterAll(async () => {
      await onServer(server, [server.statements.drop]);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    let backup: string;

    it(`backs up with ${server.dump}, the password in its environment only, and records the success`, async () => {
      const startedAt = Math.floor(Date.now() / 1000);
      const result = await todobox(['backup', '--output', backupsDir(), '--keep', '2'], env);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      backup = /^Backup written: (\S+) \(/m.exec(result.stdout)?.[1] ?? '';
      expect(path.basename(backup)).toMatch(new RegExp(`^todobox_${server.engine}_\\d{8}-\\d{6}\\.sql\\.gz$`));
      expect(fs.readdirSync(backupsDir()).sort()).toEqual([path.basename(backup), `${path.basename(backup)}.manifest.json`]);

      const args = recordedArgs(server.dump);
      expect(args).toMatch(new RegExp(`^arg (--dbname=)?${DATABASE}$`, 'm'));
      expect(args).toContain('password-in-environment');
      expect(args).not.toMatch(/^arg (--password|-p|-W|--pass)/m);
      if (server.engine === 'mysql') expect(args).toContain('arg --single-transaction');
      else expect(args).toContain('arg --no-owner');

      const metrics = fs.readFileSync(metricsFile(), 'utf8');
      expect(Number(/^todobox_backup_last_success_timestamp_seconds (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(startedAt);
      expect(metrics).toContain(`todobox_backup_last_size_bytes ${fs.statSync(backup).size}\n`);
      const verdict = promtoolVerdict(metricsFile());
      if (verdict) expect(verdict).toMatchObject({ status: 0 });
    });

    it('verify PASSes the backup and FAILs a truncated and a corrupted copy', async () => {
      const verify = await todobox(['backup:verify', backup], env);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('PASS  tables: CREATE TABLE for users, todo, schema_migrations');
      expect(verify.stdout).toMatch(/PASS {2}complete: ends with/);
      expect(verify.stdout).toContain(`PASS  checksum: SHA-256 and size (${fs.statSync(backup).size} bytes) match`);
      expect(verify.stdout).toMatch(/PASS {2}rows: \d+ rows in \d+ tables/);

      const manifest = JSON.parse(fs.readFileSync(`${backup}.manifest.json`, 'utf8'));
      expect(manifest).toMatchObject({ engine: server.engine, file: { name: path.basename(backup), sizeBytes: fs.statSync(backup).size } });
      expect(manifest.tables).toMatchObject({ users: 2, todo: 3, schema_migrations: MIGRATIONS.length, backup_lock: 0 });
      expect(manifest.schema.latestMigration).toBe(MIGRATIONS[MIGRATIONS.length - 1].name);
      // The shared MariaDB keeps no binary log: the manifest says so rather than leave the position out.
      if (server.engine === 'mysql') expect(manifest).toMatchObject({ binaryLog: null, binaryLogNote: expect.stringContaining('log_bin is OFF') });
      else expect(manifest.binaryLog).toBeUndefined();

      const tampered = path.join(dir, 'tampered', path.basename(backup));
      fs.mkdirSync(path.dirname(tampered), { recursive: true });
      fs.copyFileSync(backup, tampered);
      fs.writeFileSync(`${tampered}.manifest.json`, JSON.stringify({ ...manifest, tables: { ...manifest.tables, todo: 4 } }));
      const mismatch = await todobox(['backup:verify', tampered], env);
      expect(mismatch.code).toBe(1);
      expect(mismatch.stdout).toContain('FAIL  rows: row counts differ from');
      expect(mismatch.stdout).toContain('todo: 4 recorded, 3 found');
      for (const damaged of [truncatedCopy(backup, path.join(dir, 'cut.sql.gz')), corruptedCopy(backup, path.join(dir, 'bad.sql.gz'))]) {
        const result = await todobox(['backup:verify', damaged], env);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/^FAIL {2}/m);
      }
    });

    it('restores exactly the data that was backed up', async () => {
      const before = await tableContents(env);
      await changeData(env);
      expect(await tableContents(env)).not.toEqual(before);
      const restore = await todobox(['restore', backup, '--yes'], env);
      expect(restore).toMatchObject({ code: 0, stderr: '' });
      expect(restore.stdout).toContain('Restored 2 user(s) and 3 todo(s).');
      expect(restore.stdout).toMatch(/Migrations: \d+ applied, 0 pending/);
      expect(await tableContents(env)).toEqual(before);
      const args = recordedArgs(server.replay);
      expect(args).toContain('password-in-environment');
      expect(args).not.toMatch(/^arg (--password|-p|-W|--pass)/m);
    });

    it('restores a dump taken before the backup lock table existed, after which db:migrate and backups work', async () => {
      const lockMigration = MIGRATIONS[MIGRATIONS.length - 1].name;
      expect(lockMigration).toBe('0005-backup-lock');
      await onServer(server, ['DROP TABLE backup_lock', `DELETE FROM schema_migrations WHERE name = '${lockMigration}'`], DATABASE);
      const olderDump = path.join(dir, 'older', `todobox_${server.engine}_20240101-020000.sql.gz`);
      fs.mkdirSync(path.dirname(olderDump));
      const tool = dumpCommand(server.engine, loadConfig(env, { readDotenv: false }).database, env);
      await pipeline(spawn(tool.command, tool.args, { env: tool.env, stdio: ['ignore', 'pipe', 'inherit'] }).stdout, zlib.createGzip(), fs.createWriteStream(olderDump));
      expect((await todobox(['db:migrate'], env)).code).toBe(0);

      const restore = await todobox(['restore', olderDump, '--yes'], env);
      expect(restore).toMatchObject({ code: 0, stderr: '' });
      expect(restore.stdout).toContain('Migrations: 4 applied, 1 pending (run "todobox db:migrate")');
      const refused = await todobox(['backup', '--output', path.join(dir, 'before-migrating')], env);
      expect(refused.stderr).toContain('The database has no backup lock table yet: run "todobox db:migrate" first.');
      expect((await todobox(['db:migrate'], env)).code).toBe(0);
      const after = await todobox(['backup', '--output', path.join(dir, 'after-migrating')], env);
      expect(after).toMatchObject({ code: 0, stderr: '' });
    });

    it('a backup that cannot log in exits 1 without leaking the password, leaves no file and keeps the metric', async () => {
      const recorded = fs.readFileSync(metricsFile(), 'utf8');
      const failedDir = path.join(dir, 'failed');
      fs.rmSync(logs[server.dump], { force: true });
      // PostgreSQL trusts loopback here, so the dump also names a database that does not exist.
      const broken = { ...env, DB_PW: WRONG_PASSWORD, DB_NAME: `${DATABASE}_missing` };
      const result = await todobox(['backup', '--output', failedDir], broken);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Backup failed: the database did not answer');
      expect(`${result.stdout}${result.stderr}`).not.toContain(WRONG_PASSWORD);
      expect(recordedArgs(server.dump)).toBe('');
      expect(fs.existsSync(failedDir)).toBe(false);
      expect(fs.readFileSync(metricsFile(), 'utf8')).toBe(recorded);
    });

    it('prunes backups of this engine outside the schedule, and never another engine\'s', async () => {
      const old = [`todobox_${server.engine}_20240101-020000.sql.gz`, `todobox_${server.engine}_20240102-020000.sql.gz`];
      const otherEngine = 'todobox_sqlite_20240101-020000.sqlite.gz';
      for (const name of [...old, otherEngine]) fs.writeFileSync(path.join(backupsDir(), name), zlib.gzipSync('an old backup'));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const result = await todobox(['backup', '--output', backupsDir(), '--keep', '2'], env);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const newest = /^Backup written: (\S+) \(/m.exec(result.stdout)?.[1] ?? '';
      const kept = [backup, newest].flatMap((file) => [path.basename(file), `${path.basename(file)}.manifest.json`]);
      expect(fs.readdirSync(backupsDir()).sort()).toEqual([...kept, otherEngine].sort());
      expect(result.stdout).toContain(`Deleted old backup ${path.join(backupsDir(), old[0])}`);
    });
  });
}
