import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, today } from '../../src/shared';
import { logInOverHttp } from '../faults/steadyTraffic';
import { AppProcess, startAppProcess } from '../helpers/appProcess';
import { commandExists, corruptedCopy, truncatedCopy } from '../helpers/backupScenario';
import { buildApp, todobox, todoboxProcess } from '../helpers/cli';
import { DrillUser, rowCounts, seedUserWithTodos, tableChecksum, tableRows } from '../helpers/drillDatabase';
import { describeWithService, mariaDbAvailable, postgresAvailable } from '../helpers/requiredService';
import { createTestDatabase, engineService, TestDatabase, TestEngine } from '../helpers/testDatabase';
import { startTodoWriter, TodoWriter } from '../helpers/todoWriter';

jest.setTimeout(120_000);

const SEEDED_TODOS = 10_000;
/** The writer is well under way before the backup starts... */
const WRITES_BEFORE_BACKUP = 20;
/** ...and still acknowledging writes after it ends, so the backup ran while todos were being added. */
const WRITES_AFTER_BACKUP = 5;

type ServerEngine = Exclude<TestEngine, 'sqlite'>;

interface DrillEngine {
  engine: TestEngine;
  name: string;
  /** The engine whose backup this one's restore must refuse: another SQL dump where there is one, so the extension cannot tell them apart. */
  otherEngine: ServerEngine;
}

const DRILL_ENGINES: DrillEngine[] = [
  { engine: 'sqlite', name: 'SQLite', otherEngine: 'postgres' },
  { engine: 'mysql', name: 'MariaDB', otherEngine: 'postgres' },
  { engine: 'postgres', name: 'PostgreSQL', otherEngine: 'mysql' },
];

const CLIENT_TOOLS: Record<ServerEngine, string[]> = { mysql: ['mysqldump', 'mysql'], postgres: ['pg_dump', 'psql'] };

/** What the drill of `drill` needs and this machine lacks, or undefined when everything is there. */
function missingService(drill: DrillEngine): string | undefined {
  const servers = [drill.engine, drill.otherEngine].filter((engine): engine is ServerEngine => engine !== 'sqlite');
  for (const server of new Set(servers)) {
    const tools = CLIENT_TOOLS[server].filter((tool) => !commandExists(tool));
    if (tools.length > 0) return `the ${server} client tools (${tools.join(', ')})`;
    if (!(server === 'mysql' ? mariaDbAvailable() : postgresAvailable())) return engineService(server);
  }
  return undefined;
}

/** The command's environment: the database settings and nothing of the test runner's. */
function commandEnv(database: TestDatabase): Record<string, string> {
  return { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_DIR: '', ...database.env };
}

function writtenBackup(stdout: string): string {
  const file = /^Backup written: (\S+) \(/m.exec(stdout)?.[1];
  if (!file) throw new Error(`no backup path in: ${stdout}`);
  return file;
}

/** A small backup of a freshly migrated database of `engine`, written into `dir`. */
async function backupOfEngine(engine: ServerEngine, dir: string): Promise<string> {
  const database = await createTestDatabase(engine);
  try {
    const env = commandEnv(database);
    expect((await todobox(['db:migrate'], env)).code).toBe(0);
    const backup = await todobox(['backup', '--output', dir], env);
    expect(backup.code).toBe(0);
    return writtenBackup(backup.stdout);
  } finally {
    await database.drop();
  }
}

/** The tables a new todo adds a row to (the todo and the first entry of its history). */
const WRITTEN_TABLES = ['todo', 'todo_history'];

function unwrittenCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([table]) => !WRITTEN_TABLES.includes(table)));
}

for (const drill of DRILL_ENGINES) {
  const missing = missingService(drill);
  describeWithService(missing ?? drill.name, missing === undefined, `a backup drill under load on ${drill.name}`, () => {
    let dir: string;
    let source: TestDatabase;
    let restored: TestDatabase;
    let user: DrillUser;
    let scheduledFor: string;
    const apps: AppProcess[] = [];
    let writer: TodoWriter | undefined;
    let backupFile: string;

    async function startApp(database: TestDatabase): Promise<AppProcess> {
      const app = await startAppProcess(database.env, { built: true });
      apps.push(app);
      return app;
    }

    beforeAll(async () => {
      buildApp();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `todobox-drill-${drill.engine}-`));
      source = await createTestDatabase(drill.engine);
      restored = await createTestDatabase(drill.engine);
      expect((await todobox(['db:migrate'], commandEnv(source))).code).toBe(0);
      // A month ahead, so every todo stays on the "upcoming" list even if the day changes during the run.
      scheduledFor = addDays(today(), 30);
      user = await seedUserWithTodos(source.env, SEEDED_TODOS, scheduledFor);
    }, 180_000);

    afterAll(async () => {
      await writer?.stop();
      for (const app of apps) {
        await app.stop();
        fs.rmSync(app.dir, { recursive: true, force: true });
      }
      await source?.drop();
      await restored?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('restores every todo acknowledged before the backup began, once, and the restored app serves the list', async () => {
      const sourceApp = await startApp(source);
      writer = startTodoWriter(sourceApp.url, user.apiToken, scheduledFor);
      await writer.waitForAcknowledged(WRITES_BEFORE_BACKUP);

      const countsAtStart = await rowCounts(source.env);
      const backupStartedAt = Date.now();
      const backup = await todoboxProcess(['backup', '--output', path.join(dir, 'backups')], commandEnv(source), dir);
      const backupEndedAt = Date.now();
      const acknowledgedByEnd = writer.acknowledged.length;
      await writer.waitForAcknowledged(acknowledgedByEnd + WRITES_AFTER_BACKUP);
      await writer.stop();
      expect(writer.failures).toEqual([]);
      expect(backup).toMatchObject({ code: 0, stderr: '' });
      backupFile = writtenBackup(backup.stdout);
      const countsAtEnd = await rowCounts(source.env);

      const restore = await todoboxProcess(['restore', backupFile, '--yes'], commandEnv(restored), dir);
      expect(restore).toMatchObject({ code: 0, stderr: '' });

      const restoredRows = await tableRows(restored.env, 'todo');
      const restoredIds = restoredRows.map((row) => Number(row.id));
      expect(new Set(restoredIds).size).toBe(restoredRows.length);
      expect(new Set(restoredRows.map((row) => row.title)).size).toBe(restoredRows.length);
      const restoredTitles = new Map(restoredRows.map((row) => [Number(row.id), row.title]));
      const acknowledgedBeforeBackup = writer.acknowledged.filter((todo) => todo.acknowledgedAt < backupStartedAt);
      expect(acknowledgedBeforeBackup.length).toBeGreaterThanOrEqual(WRITES_BEFORE_BACKUP);
      expect(acknowledgedBeforeBackup.filter((todo) => restoredTitles.get(todo.id) !== todo.title)).toEqual([]);
      // One writer, one write at a time: the backup is a consistent snapshot exactly when it holds the
      // source's todos and their history up to its newest todo, every column equal, and nothing after.
      const newestRestored = Math.max(...restoredIds);
      expect(restoredRows).toEqual((await tableRows(source.env, 'todo')).filter((row) => Number(row.id) <= newestRestored));
      const sourceHistory = await tableRows(source.env, 'todo_history');
      expect(await tableRows(restored.env, 'todo_history')).toEqual(sourceHistory.filter((row) => Number(row.todo_id) <= newestRestored));

      // The restored rows are the ones the manifest counted; and against the source at the start and
      // end of the backup, between which only new todos and their history were added.
      const restoredCounts = await rowCounts(restored.env);
      const manifest = JSON.parse(fs.readFileSync(`${backupFile}.manifest.json`, 'utf8')) as { tables: Record<string, number> };
      expect(Object.keys(manifest.tables)).toEqual(expect.arrayContaining(['users', ...WRITTEN_TABLES]));
      expect(Object.fromEntries(Object.keys(manifest.tables).map((table) => [table, restoredCounts[table]]))).toEqual(manifest.tables);
      expect(unwrittenCounts(restoredCounts)).toEqual(unwrittenCounts(countsAtStart));
      expect(unwrittenCounts(countsAtEnd)).toEqual(unwrittenCounts(countsAtStart));
      for (const table of WRITTEN_TABLES) {
        expect(restoredCounts[table]).toBeGreaterThanOrEqual(countsAtStart[table]);
        expect(restoredCounts[table]).toBeLessThanOrEqual(countsAtEnd[table]);
      }
      expect(restore.stdout).toContain(`Restored ${restoredCounts.users} user(s) and ${restoredCounts.todo} todo(s).`);

      const restoredApp = await startApp(restored);
      const { cookie } = await logInOverHttp(restoredApp.url, user.email, user.password);
      expect(cookie).toBeDefined();
      const listPage = async (query = '') => {
        const res = await fetch(`${restoredApp.url}/todos/upcoming${query}`, { headers: { cookie: cookie!, accept: 'text/html' }, redirect: 'manual' });
        return { status: res.status, html: await res.text() };
      };
      const list = await listPage();
      expect(list.status).toBe(200);
      expect(list.html).toContain(`${restoredCounts.todo} todos`);
      expect(list.html).toContain('>seeded todo #1</a>');
      const lastBeforeBackup = acknowledgedBeforeBackup[acknowledgedBeforeBackup.length - 1];
      const found = await listPage(`?q=${encodeURIComponent(lastBeforeBackup.title)}`);
      expect(found.status).toBe(200);
      expect(found.html).toContain(`href="/todos/${lastBeforeBackup.id}">${lastBeforeBackup.title}</a>`);

      const processStart = await todoboxProcess(['--help'], commandEnv(source), dir);
      const writtenDuringBackup = writer.acknowledged.filter((todo) => todo.acknowledgedAt >= backupStartedAt && todo.acknowledgedAt <= backupEndedAt);
      const size = fs.statSync(backupFile).size;
      process.stdout.write(
        `[backup drill: ${drill.name}] ${SEEDED_TODOS} seeded todos + ${writer.acknowledged.length} written over HTTP: ` +
          `backup ${size} bytes (${(size / 1024).toFixed(0)} KiB) in ${(backup.elapsedMs / 1000).toFixed(2)} s, ` +
          `restore into an empty database in ${(restore.elapsedMs / 1000).toFixed(2)} s (both as whole todobox processes; one that only prints its help takes ${(processStart.elapsedMs / 1000).toFixed(2)} s), ` +
          `writes acknowledged while the backup ran ${writtenDuringBackup.length}, restored todos ${restoredCounts.todo}\n`,
      );
    });

    it('refuses a truncated, a corrupted and another engine\'s backup, naming the problem, and leaves the database as it was', async () => {
      expect(backupFile).toBeDefined();
      for (const app of apps) await app.stop();
      const name = path.basename(backupFile);
      const refused = [
        { file: truncatedCopy(backupFile, path.join(dir, `truncated-${name}`)), problem: /^ {2}FAIL {2}gzip: the file does not decompress: unexpected end of file$/m },
        { file: corruptedCopy(backupFile, path.join(dir, `corrupted-${name}`)), problem: /^ {2}FAIL {2}gzip: the file does not decompress: /m },
        {
          file: await backupOfEngine(drill.otherEngine, path.join(dir, 'other-engine')),
          problem: new RegExp(`is a ${drill.otherEngine} backup, but DATABASE_DEFAULT is ${drill.engine}\\.$`, 'm'),
        },
      ];
      const countsBefore = await rowCounts(restored.env);
      const checksumsBefore = [await tableChecksum(restored.env, 'todo'), await tableChecksum(restored.env, 'todo_history')];
      expect(countsBefore.todo).toBeGreaterThan(SEEDED_TODOS);

      for (const { file, problem } of refused) {
        const result = await todoboxProcess(['restore', file, '--yes'], commandEnv(restored), dir);
        expect({ file, code: result.code, stderr: result.stderr }).toEqual({ file, code: 1, stderr: expect.stringMatching(problem) });
        expect(result.stdout).not.toContain('Restored');
        expect(await rowCounts(restored.env)).toEqual(countsBefore);
        expect([await tableChecksum(restored.env, 'todo'), await tableChecksum(restored.env, 'todo_history')]).toEqual(checksumsBefore);
      }
    });
  });
}
