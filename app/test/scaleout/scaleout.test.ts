import fs from 'node:fs';
import https from 'node:https';
import mysql from 'mysql2/promise';
import { AppProcess, freePort, startAppProcess } from '../helpers/appProcess';
import { NginxSetup, RunningNginx, nginxAvailable, prepareNginx, startNginx } from '../helpers/nginx';
import { PrivateServer, privateRedisAvailable, startPrivateRedis } from '../helpers/privateServers';
import { describeWithService, MARIADB_ENV, mariaDbAvailable } from '../helpers/requiredService';
import { uniqueDatabaseName } from '../helpers/testDatabase';
import { SiteClient } from './siteClient';
import { LoadFigures, runSteadyLoad } from './steadyLoad';

const DATABASE = uniqueDatabaseName('scaleout');
const INSTANCES = 3;
const LOAD_CONCURRENCY = 8;
const LOAD_DURATION_MS = 10_000;
const MAX_REQUESTS = 50_000;
const runId = `${process.pid}-${Date.now().toString(36)}`;

const missing = [
  ...(nginxAvailable() ? [] : ['nginx (apt package nginx)']),
  ...(mariaDbAvailable() ? [] : [`MariaDB (${MARIADB_ENV.DB_URL}:${MARIADB_ENV.DB_PORT}, user ${MARIADB_ENV.DB_USER})`]),
  ...(privateRedisAvailable() ? [] : ['redis-server']),
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

function adminConnection(): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: MARIADB_ENV.DB_URL,
    port: Number(MARIADB_ENV.DB_PORT),
    user: MARIADB_ENV.DB_USER,
    password: MARIADB_ENV.DB_PW,
  });
}

async function storedTitles(prefix: string): Promise<Set<string>> {
  const connection = await adminConnection();
  try {
    const [rows] = await connection.query(`SELECT title FROM \`${DATABASE}\`.todo WHERE title LIKE ?`, [`${prefix}-%`]);
    return new Set((rows as Array<{ title: string }>).map((row) => row.title));
  } finally {
    await connection.end();
  }
}

const requestLines = (app: AppProcess) => app.lines().filter((line) => line.message === 'request');

function report(name: string, figures: LoadFigures, found: number, extra: string): void {
  process.stdout.write(
    `scale-out ${name}: requests sent ${figures.sent} in ${(figures.durationMs / 1000).toFixed(1)} s, ` +
      `requests failed ${figures.failed} (GET ${figures.getsFailed} of ${figures.getsSent}, POST ${figures.postsFailed} of ${figures.postsSent}), ` +
      `acknowledged writes ${figures.acknowledged.length}, writes found afterwards ${found}${extra}\n`,
  );
}

describeWithService(missing.join(', ') || 'nginx, MariaDB and redis-server', missing.length === 0, 'three app processes behind nginx', () => {
  const instances: AppProcess[] = [];
  const ports: number[] = [];
  const retired: AppProcess[] = [];
  let redis: PrivateServer | undefined;
  let setup: NginxSetup | undefined;
  let nginx: RunningNginx | undefined;
  let agent: https.Agent | undefined;
  let client: SiteClient;
  let csrfToken: string;
  let apiToken: string;
  let env: Record<string, string>;

  const startInstance = (index: number) => startAppProcess(env, { port: ports[index] });
  const nginxLog = () => (setup && fs.existsSync(setup.accessLog) ? fs.readFileSync(setup.accessLog, 'utf8').split('\n') : []);

  beforeAll(async () => {
    const connection = await adminConnection();
    await connection.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await connection.query(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await connection.end();
    redis = await startPrivateRedis();
    env = {
      ...MARIADB_ENV,
      DB_NAME: DATABASE,
      DB_POOL_MAX: '5',
      ...redis.env,
      SECRET_KEY: 'scale-out-shared-secret-key-0123456789',
      SALT: 'scale-out-shared-salt',
      TRUST_PROXY: '1',
      WEB_CONCURRENCY: '1',
      SHUTDOWN_TIMEOUT_SECONDS: '10',
      LOG_LEVEL: 'info',
    };
    for (let i = 0; i < INSTANCES; i++) ports.push(await freePort());
    // The first one applies the migrations; the others then find them applied.
    instances.push(await startInstance(0));
    instances.push(...(await Promise.all([1, 2].map(startInstance))));

    setup = prepareNginx(ports, await freePort(), await freePort());
    nginx = await startNginx(setup);
    agent = new https.Agent({ keepAlive: true, maxSockets: LOAD_CONCURRENCY });
    client = new SiteClient(setup, agent);

    const password = 'scale-out-password-1';
    const account = { name: 'Scale Out', email: 'scale@example.com', password, confirm: password };
    expect((await client.submit('/setup', '/setup', account)).status).toBe(303);
    const login = await client.submit('/login', '/login', { email: account.email, password });
    expect(login.status).toBe(303);
    expect((await client.submit('/account/tokens', '/account/tokens', { name: 'load' })).status).toBe(303);
    const created = await client.request({ path: '/account/tokens' });
    apiToken = /id="new-token"[^>]*value="([^"]+)"/.exec(created.body.toString())?.[1] ?? '';
    expect(apiToken).not.toBe('');
    csrfToken = await client.csrfToken('/todos/new');
  }, 180_000);

  afterAll(async () => {
    agent?.destroy();
    await nginx?.stop();
    await Promise.all([...instances, ...retired].map((app) => app.stop('SIGKILL')));
    for (const app of [...instances, ...retired]) fs.rmSync(app.dir, { recursive: true, force: true });
    await redis?.remove();
    if (setup) fs.rmSync(setup.dir, { recursive: true, force: true });
    const connection = await adminConnection().catch(() => undefined);
    await connection?.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await connection?.end();
  }, 60_000);

  it('keeps a user logged in whichever instance answers (sessions in Redis)', async () => {
    for (const app of instances) {
      expect(app.lines().find((line) => line.message === 'TodoBox startup')).toMatchObject({ sessions: 'redis', database: 'mysql' });
    }
    const ids = Array.from({ length: 30 }, (_, i) => `session-${runId}-${i}`);
    let failed = 0;
    for (const id of ids) {
      const page = await client.request({ path: '/', headers: { 'x-request-id': id } });
      if (page.status !== 200 || !page.body.includes('Log out') || page.headers['x-request-id'] !== id) failed++;
    }
    const answeredBy = (id: string) => instances.filter((app) => requestLines(app).some((line) => line.requestId === id));
    await waitFor(() => ids.every((id) => answeredBy(id).length === 1), 10_000, 'every request in exactly one access log');
    const perInstance = instances.map((app) => ids.filter((id) => answeredBy(id)[0] === app).length);
    const userIds = new Set(instances.flatMap((app) => requestLines(app).filter((line) => ids.includes(String(line.requestId))).map((line) => line.userId)));
    process.stdout.write(
      `scale-out session: requests sent ${ids.length}, requests failed ${failed}, answered per instance ${perInstance.join('/')}, ` +
        `acknowledged writes 0, writes found afterwards 0\n`,
    );
    expect(failed).toBe(0);
    expect(perInstance.every((count) => count > 0)).toBe(true);
    expect(userIds.size).toBe(1);
    expect([...userIds][0]).toEqual(expect.any(Number));
  });

  it('loses no GET and no acknowledged POST when an instance is killed with SIGKILL under load', async () => {
    const victim = instances[1];
    const victimUpstream = `127.0.0.1:${ports[1]}`;
    let servedBeforeKill = 0;
    const figures = await runSteadyLoad(
      { client, csrfToken, apiToken, titlePrefix: `kill-${runId}`, concurrency: LOAD_CONCURRENCY, durationMs: LOAD_DURATION_MS, hardLimitMs: 20_000, maxRequests: MAX_REQUESTS },
      async (elapsed) => {
        await waitFor(() => elapsed() >= 3_000, 10_000, 'the load to settle');
        servedBeforeKill = requestLines(victim).length;
        victim.child.kill('SIGKILL');
        await victim.exited;
      },
    );
    const stored = await storedTitles(`kill-${runId}`);
    const lost = figures.acknowledged.filter((title) => !stored.has(title));
    // Requests nginx sent to the killed instance once it was gone: moved on to another (GET, or a
    // refused connection) or answered 502 (a POST the instance had already received).
    const hitVictim = nginxLog().filter((line) => new RegExp(`upstream=(\\S+, )*${victimUpstream}[ ,]`).test(line));
    const movedOn = hitVictim.filter((line) => line.includes(`upstream=${victimUpstream}, `) || line.includes(`, ${victimUpstream}, `)).length;
    const answered502 = hitVictim.filter((line) => / 502 \d+ /.test(line)).length;
    report('kill -9', figures, stored.size, `, lost acknowledged writes ${lost.length}, requests nginx moved off the killed instance ${movedOn}, POSTs it answered 502 ${answered502}`);

    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(servedBeforeKill).toBeGreaterThan(0);
    expect(movedOn + answered502).toBeGreaterThan(0);
    // The only requests allowed to fail are POSTs in flight on the killed instance, which nginx
    // answers 502 and must not retry.
    expect(figures.failureSamples.filter((sample) => !/^POST \S+ -> 502$/.test(sample))).toEqual([]);
    expect(figures.getsFailed).toBe(0);
    expect(figures.acknowledged.length).toBeGreaterThan(0);
    expect(lost).toEqual([]);

    retired.push(victim);
    instances[1] = await startInstance(1);
  }, 90_000);

  it('drops no request when an instance is stopped with SIGTERM and started again under load', async () => {
    const victim = instances[0];
    let restarted: AppProcess | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const restartedServed = () => (restarted ? requestLines(restarted).length : 0);
    const figures = await runSteadyLoad(
      {
        client,
        csrfToken,
        apiToken,
        titlePrefix: `restart-${runId}`,
        concurrency: LOAD_CONCURRENCY,
        durationMs: LOAD_DURATION_MS,
        // Until the restarted instance has taken its share again (nginx retries it after fail_timeout).
        continueWhile: () => restartedServed() < 10,
        hardLimitMs: 45_000,
        maxRequests: MAX_REQUESTS,
      },
      async (elapsed) => {
        await waitFor(() => elapsed() >= 2_000, 10_000, 'the load to settle');
        victim.child.kill('SIGTERM');
        exit = await victim.exited;
        retired.push(victim);
        restarted = await startInstance(0);
        instances[0] = restarted;
      },
    );
    const stored = await storedTitles(`restart-${runId}`);
    const lost = figures.acknowledged.filter((title) => !stored.has(title));
    const draining = victim.lines().find((line) => line.message === 'Shutting down: draining requests');
    // Reads the stopping instance answered 503 and nginx then served from another instance.
    const movedOn = nginxLog().filter((line) => /upstream_status=503, /.test(line)).length;
    report(
      'SIGTERM + restart',
      figures,
      stored.size,
      `, lost acknowledged writes ${lost.length}, in flight at SIGTERM ${String(draining?.inFlight)}, ` +
        `reads nginx moved off the stopping instance ${movedOn}, served by the restarted instance ${restartedServed()}`,
    );

    expect(exit).toEqual({ code: 0, signal: null });
    expect(draining).toBeDefined();
    expect(figures.failureSamples).toEqual([]);
    expect(figures.failed).toBe(0);
    expect(figures.acknowledged).toHaveLength(figures.postsSent);
    expect(lost).toEqual([]);
    expect(restartedServed()).toBeGreaterThanOrEqual(10);
  }, 90_000);
});
