import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startAppProcess } from '../helpers/appProcess';
import { describeWithService, MARIADB_ENV, mariaDbAvailable } from '../helpers/requiredService';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');

/** PostgreSQL settings whose port is a MariaDB server's: pg then throws from inside its socket handler. */
const POSTGRES_AT_A_MARIADB_PORT = {
  DATABASE_DEFAULT: 'postgres',
  DB_URL: MARIADB_ENV.DB_URL,
  DB_PORT: MARIADB_ENV.DB_PORT,
  DB_USER: 'todobox',
  DB_PW: 'todobox',
  DB_NAME: 'todobox',
};

describeWithService('MariaDB', mariaDbAvailable(), 'settings naming a server of another engine', () => {
  // The command runs from app/dist, as installed: tsc builds it only when a source is newer.
  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  it('stop the app with one JSON log line, exit code 1, and no stack trace written bare', async () => {
    const app = await startAppProcess(POSTGRES_AT_A_MARIADB_PORT, { awaitStartup: false });
    try {
      const { code } = await app.exited;
      expect(code).toBe(1);
      expect(app.lines().filter((line) => 'raw' in line && String(line.raw).trim() !== '')).toEqual([]);
      expect(app.lines()).toContainEqual(expect.objectContaining({ level: 'error', event: 'uncaught_exception' }));
    } finally {
      fs.rmSync(app.dir, { recursive: true, force: true });
    }
  });

  it('stop the todobox command with one line saying what to check', async () => {
    const failed = await promisify(execFile)(process.execPath, ['bin/todobox.js', 'db:status'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...POSTGRES_AT_A_MARIADB_PORT, LOG_DIR: '' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect(failed.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Unexpected error: .*Check that the host and port in the settings are the right server's\.$/)]);
  });
});
