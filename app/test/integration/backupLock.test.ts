import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { acquireBackupLock } from '../../src/cli/backup/backupLock';
import { createDatabase } from '../../src/db/database';
import { seedAccountsAndTodos } from '../helpers/backupScenario';
import { todobox } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/testDatabase';

// Two real `todobox backup` processes on this project's engine: the first is held mid-dump by a
// preloaded hook (it holds the lock for as long as the test needs), the second is refused.
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin/todobox.js');
const PAUSE_HOOK = path.join(ROOT, 'app/test/helpers/pauseBackupDump.cjs');

let dir: string;
let database: TestDatabase;
let env: Record<string, string>;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, env: { ...env, ...extraEnv } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface PausedBackup {
  child: ChildProcess;
  exited: Promise<Exit>;
  release(): void;
}

async function pausedBackup(output: string): Promise<PausedBackup> {
  const paused = path.join(dir, `paused-${Math.random().toString(36).slice(2)}`);
  const release = `${paused}.release`;
  const child = spawn(process.execPath, ['-r', PAUSE_HOOK, CLI, 'backup', '--output', output], {
    cwd: dir,
    env: { ...env, TODOBOX_TEST_PAUSED_FILE: paused, TODOBOX_TEST_RELEASE_FILE: release },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  let running = true;
  void exited.then(() => (running = false));
  while (!fs.existsSync(paused)) {
    if (!running) throw new Error(`the paused backup exited early: ${(await exited).stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, exited, release: () => fs.writeFileSync(release, '') };
}

const backupFiles = (folder: string) => (fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => /\.(sqlite|sql)\.gz$/.test(name)) : []);

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-backup-lock-'));
  database = await createTestDatabase();
  env = { PATH: process.env.PATH ?? '', ...database.env, LOG_DIR: '' };
  expect((await todobox(['db:migrate'], env)).code).toBe(0);
  await seedAccountsAndTodos(env);
});
afterEach(async () => {
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the backup lock, with two real todobox backup processes', () => {
  it('refuses a second run while one holds the lock, naming the holder, and lets the next run in once it ends', async () => {
    const first = await pausedBackup(path.join(dir, 'first'));
    const second = await run(['backup', '--output', path.join(dir, 'second')]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Another backup is running: the lock is held by ${os.hostname()} (pid ${first.child.pid}) since `);
    expect(second.stderr).toContain('Nothing was done.');
    expect(backupFiles(path.join(dir, 'second'))).toEqual([]);

    first.release();
    const finished = await first.exited;
    expect(finished).toMatchObject({ code: 0, stderr: '' });
    expect(backupFiles(path.join(dir, 'first'))).toHaveLength(1);
    const third = await run(['backup', '--output', path.join(dir, 'third')]);
    expect(third).toMatchObject({ code: 0, stderr: '' });
  });

  it('lets a crashed run\'s lock be taken over once its lease has expired, and not before', async () => {
    const crashed = await pausedBackup(path.join(dir, 'crashed'));
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    const blocked = await run(['backup', '--output', path.join(dir, 'next')]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(`(pid ${crashed.child.pid})`);

    // As if the lease's two minutes had passed: no renewal came from the killed process.
    const db = await createDatabase(loadConfig(env, { readDotenv: false }).database);
    try {
      await db.sequelize.query('UPDATE backup_lock SET expires_at_ms = expires_at_ms - 3600000');
    } finally {
      await db.close();
    }
    const next = await run(['backup', '--output', path.join(dir, 'next')]);
    expect(next).toMatchObject({ code: 0, stderr: '' });
    expect(next.stdout).toContain(`Took over the expired backup lock of ${os.hostname()} (pid ${crashed.child.pid})`);
    expect(backupFiles(path.join(dir, 'crashed'))).toEqual([]);
    expect(backupFiles(path.join(dir, 'next'))).toHaveLength(1);
  });

  it('a run whose lease was taken over while it stalled stops before pruning, and leaves the new holder\'s lock alone', async () => {
    const db = await createDatabase(loadConfig(env, { readDotenv: false }).database);
    try {
      const lock = await acquireBackupLock(db.sequelize);
      await lock.confirm();
      await db.sequelize.query("UPDATE backup_lock SET holder = 'another-run', host = 'elsewhere', pid = 1");
      await expect(lock.confirm()).rejects.toThrow('This backup lost its lock (its lease expired while it stalled) to elsewhere (pid 1) since ');
      await lock.release();
      const [rows] = await db.sequelize.query('SELECT holder FROM backup_lock');
      expect(rows).toEqual([{ holder: 'another-run' }]);
    } finally {
      await db.close();
    }
  });
});
