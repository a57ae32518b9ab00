import { loadConfig } from '../../src/config';
import { Core, openCore } from '../../src/composition';
import { createLogger } from '../../src/observability/logger';
import { describeWithService } from '../helpers/requiredService';
import { AppProcess, startAppProcess } from '../helpers/appProcess';
import { PrivateServer, privateMariaDbAvailable, privateRedisAvailable, startPrivateMariaDb, startPrivateRedis } from '../helpers/privateServers';
import { failed, logInOverHttp, startSteadyTraffic, TrafficUser } from './steadyTraffic';

/** How long /readyz may take to turn green once the stopped server is back. */
const RECOVERY_LIMIT_SECONDS = 15;
const STEADY_MS = 1_500;
const OUTAGE_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readiness(app: AppProcess): Promise<{ status: number; body: { checks?: Record<string, string> } }> {
  const res = await fetch(`${app.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { checks?: Record<string, string> } };
}

async function waitForReadiness(app: AppProcess, wanted: (status: number, checks: Record<string, string>) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await readiness(app);
    if (wanted(status, body.checks ?? {})) return { status, checks: body.checks ?? {} };
    if (Date.now() > deadline) throw new Error(`/readyz stayed ${status} ${JSON.stringify(body)}`);
    await sleep(100);
  }
}

function linesWith(app: AppProcess, event: string, dependency?: string) {
  return app.lines().filter((line) => line.event === event && (dependency === undefined || line.dependency === dependency));
}

describeWithService('mariadbd and redis-server (private instances)', privateMariaDbAvailable() && privateRedisAvailable(), 'outages of the database and Redis', () => {
  let mariadb: PrivateServer;
  let redis: PrivateServer;
  let app: AppProcess;
  let core: Core;
  let user: TrafficUser;

  beforeAll(async () => {
    mariadb = await startPrivateMariaDb();
    redis = await startPrivateRedis();
    const env = { ...mariadb.env, ...redis.env, DB_POOL_ACQUIRE_MS: '3000', LOG_LEVEL: 'info' };
    app = await startAppProcess(env);
    const config = loadConfig({ NODE_ENV: 'test', ...env }, { readDotenv: false });
    core = await openCore(config, { logger: createLogger({ level: 'error', silent: true }), withoutRedis: true });
    const { services } = core;
    const password = 'outage test password';
    const created = await services.users.create({ name: 'Steady User', email: 'steady@example.com', password, isAdmin: false });
    user = { email: created.email, password, apiToken: (await services.tokens.create(created.id, 'steady traffic')).token };
  }, 120_000);

  afterAll(async () => {
    await core?.close().catch(() => undefined);
    await app?.stop();
    await mariadb?.remove();
    await redis?.remove();
  });

  /**
   * Steady traffic; the server is killed, requests are checked during the outage, the server is
   * started again on the same port and folder; the app must recover by itself and keep every
   * acknowledged write.
   */
  async function outage(
    dependency: 'database' | 'redis',
    server: () => PrivateServer,
    checkDuringOutage: (cookie: string) => Promise<void>,
  ) {
    expect((await readiness(app)).status).toBe(200);
    const downBefore = linesWith(app, 'dependency_down', dependency).length;
    const recoveredBefore = linesWith(app, 'dependency_recovered', dependency).length;
    const { cookie } = await logInOverHttp(app.url, user.email, user.password);
    expect(cookie).toBeDefined();
    const traffic = startSteadyTraffic(app.url, user);
    await sleep(STEADY_MS);

    const stoppedAt = Date.now();
    await server().stop('SIGKILL');
    const down = await waitForReadiness(app, (status) => status === 503, 15_000);
    expect(down.checks[dependency]).toBe('failed');
    await checkDuringOutage(cookie!);
    await sleep(OUTAGE_MS);
    expect(app.child.exitCode).toBeNull();

    await server().restart();
    const restartedAt = Date.now();
    const up = await waitForReadiness(app, (status) => status === 200, RECOVERY_LIMIT_SECONDS * 1000);
    const secondsToGreen = (Date.now() - restartedAt) / 1000;
    const outageSeconds = (Date.now() - stoppedAt) / 1000;
    expect(Object.values(up.checks).every((state) => state === 'ok')).toBe(true);
    const recoveredAt = Date.now();
    await sleep(STEADY_MS);
    await traffic.stop();

    const found = await core.db.models.Todo.count({ where: { id: traffic.acknowledgedIds } });
    const failures = traffic.results.filter(failed);
    process.stdout.write(
      `[fault: ${dependency} stopped] requests sent ${traffic.results.length}, requests failed ${failures.length}, ` +
        `acknowledged writes ${traffic.acknowledgedIds.length}, writes found afterwards ${found}, ` +
        `seconds until /readyz green again ${secondsToGreen.toFixed(1)} after the restart (${outageSeconds.toFixed(1)} after the stop), ` +
        `sessions lost ${traffic.sessionsLost()}\n`,
    );

    expect(found).toBe(traffic.acknowledgedIds.length);
    expect(traffic.acknowledgedIds.length).toBeGreaterThan(0);
    // Every failure is an honest 503 asking the client to come back, never an error page or a dropped connection.
    expect(failures.filter((result) => result.status !== 503)).toEqual([]);
    expect(failures.every((result) => result.retryAfter !== null)).toBe(true);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((result) => result.answeredAt >= stoppedAt)).toBe(true);
    // Once /readyz is green again, every request succeeds.
    const afterRecovery = traffic.sentSince(recoveredAt);
    expect(afterRecovery.length).toBeGreaterThan(0);
    expect(afterRecovery.filter(failed)).toEqual([]);

    expect(app.child.exitCode).toBeNull();
    expect(linesWith(app, 'dependency_down', dependency)).toHaveLength(downBefore + 1);
    expect(linesWith(app, 'dependency_recovered', dependency)).toHaveLength(recoveredBefore + 1);
    expect(linesWith(app, 'unhandled_rejection')).toEqual([]);
    expect(app.lines().filter((line) => line.message === 'request failed')).toEqual([]);
    return { secondsToGreen };
  }

  it('answers 503 with Retry-After while the database is down and recovers by itself', async () => {
    const { secondsToGreen } = await outage('database', () => mariadb, async (cookie) => {
      const page = await fetch(`${app.url}/todos/today`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('temporarily unavailable');
      const api = await fetch(`${app.url}/api/todos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'during the outage' }),
      });
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await api.json()).toEqual({ error: { status: 503, message: expect.stringContaining('temporarily unavailable') } });
    });
    expect(secondsToGreen).toBeLessThan(RECOVERY_LIMIT_SECONDS);
  }, 120_000);

  it('answers 503 with Retry-After for session pages while Redis is down, keeps the API serving, and recovers by itself', async () => {
    const { secondsToGreen } = await outage('redis', () => redis, async (cookie) => {
      const page = await fetch(`${app.url}/todos/today`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(page.headers.get('content-type')).toContain('text/html');
      const json = await fetch(`${app.url}/todos/today`, { headers: { cookie, accept: 'application/json' }, redirect: 'manual' });
      expect(json.status).toBe(503);
      expect(json.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await json.json()).toMatchObject({ error: { status: 503 } });
      // Bearer-token requests need no session, so the API keeps working without Redis.
      const api = await fetch(`${app.url}/api/todos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'during the Redis outage' }),
      });
      expect(api.status).toBe(201);
      // Failed logins are still limited while Redis is away (in memory, per process).
      const login = await logInOverHttp(app.url, user.email, 'not the password at all');
      expect([401, 503]).toContain(login.status);
    });
    expect(secondsToGreen).toBeLessThan(RECOVERY_LIMIT_SECONDS);
  }, 120_000);
});
