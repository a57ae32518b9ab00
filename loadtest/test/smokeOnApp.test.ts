import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JOURNEY_STEPS } from '../scenarios';
import { startAppProcess, type AppProcess } from '../../app/test/helpers/appProcess';
import { todobox } from '../../app/test/helpers/cli';
import { describeWithService, MARIADB_ENV, mariaDbAvailable, REDIS_TEST_URL, redisAvailable, uniqueRedisKeyPrefix } from '../../app/test/helpers/requiredService';
import { createTestDatabase, engineService, type TestDatabase } from '../../app/test/helpers/testDatabase';
import { runRunner } from './runnerProcess';

/**
 * The smoke test, run by `npm run loadtest` against the real app, on SQLite and on MariaDB with
 * sessions in Redis. Latency thresholds are left out: only what holds on a machine of any speed is
 * asserted (every check passes, no request fails, exit 0). Latency is the benchmark's business.
 */

const ADMIN = { email: 'load-admin@example.com', password: 'load admin password' };

interface Backend {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

async function sqlite(): Promise<Backend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-loadtest-app-'));
  return { env: { DATABASE_DEFAULT: 'sqlite', DATABASE_NAME: path.join(dir, 'todobox.db') }, dispose: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function mariaDbAndRedis(): Promise<Backend> {
  const database: TestDatabase = await createTestDatabase('mysql');
  return { env: { ...database.env, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: uniqueRedisKeyPrefix() }, dispose: () => database.drop() };
}

function smokeAgainstTheApp(open: () => Promise<Backend>): void {
  let backend: Backend;
  let app: AppProcess;

  beforeAll(async () => {
    backend = await open();
    app = await startAppProcess(backend.env);
    const created = await todobox(['user:create', ADMIN.email, '--name', 'Load Admin', '--admin', '--password', ADMIN.password], { NODE_ENV: 'test', ...backend.env });
    expect(created).toMatchObject({ code: 0 });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await backend?.dispose();
  });

  it('passes every check of every journey with no failed request, and exits 0', async () => {
    const run = await runRunner(['--scenario', 'smoke', '--url', app.url, '--admin-email', ADMIN.email, '--users', '2', '--seed-todos', '3', '--no-latency-thresholds'], {
      ADMIN_PASSWORD: ADMIN.password,
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const summary = run.summary!;
    expect(summary).toMatchObject({ testType: 'smoke', iterations: 20, droppedIterations: 0, failedRequests: 0, passed: true });
    expect(summary.checks.length).toBeGreaterThan(0);
    expect(summary.checks.filter((check) => check.fails > 0)).toEqual([]);
    // One whole turn of the mix: every step of every journey was taken.
    expect(JOURNEY_STEPS.filter((step) => !(summary.steps[step]?.requests > 0))).toEqual([]);
    expect(summary.thresholds.filter((result) => result.metric.startsWith('http_req_duration'))).toEqual([]);
    // The load users setup() created are gone again.
    const users = await todobox(['user:list'], { NODE_ENV: 'test', ...backend.env });
    expect(users.stdout).not.toMatch(/load-[a-z0-9]+-\d+@example\.com/);
  }, 180_000);
}

describe('the smoke test against the app on SQLite', () => smokeAgainstTheApp(sqlite));

const missing = [mariaDbAvailable() ? undefined : engineService('mysql'), redisAvailable() ? undefined : `Redis (${REDIS_TEST_URL})`].filter(Boolean).join(' and ');
describeWithService(missing || `MariaDB (${MARIADB_ENV.DB_URL}) and Redis`, missing === '', 'the smoke test against the app on MariaDB with sessions in Redis', () => smokeAgainstTheApp(mariaDbAndRedis));
