import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createTestApp, createUser, PASSWORD, type TestApp } from '../../app/test/helpers/testApp';
import {
  JOURNEY_NAMES,
  JOURNEY_STEPS,
  JOURNEYS,
  SETUP_STEPS,
  SMOKE_ITERATIONS,
  checkName,
  loadProfile,
  loadSettings,
  prepareLoadData,
  removeLoadData,
  type JourneyName,
} from '../scenarios';
import { loadK6Script } from './k6Scripts';
import { runnerClient } from '../runner/httpClient';
import { newRecord, type Recorded } from './recording';
import { execution, recorded, resetRecords } from './k6Stubs';

jest.mock('k6', () => jest.requireActual('./k6Stubs'), { virtual: true });
jest.mock('k6/http', () => ({ __esModule: true, default: jest.requireActual('./k6Stubs').http }), { virtual: true });
jest.mock('k6/timers', () => ({ setTimeout: (callback: () => void, milliseconds: number) => setTimeout(callback, milliseconds) }), { virtual: true });
jest.mock('k6/execution', () => ({ __esModule: true, default: jest.requireActual('./k6Stubs').execution }), { virtual: true });

/** The journeys and setup against the real app (SQLite), through the runner's client and through the k6 smoke script itself. */

const ADMIN_EMAIL = 'load-admin@example.com';
let t: TestApp;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t, { email: ADMIN_EMAIL, isAdmin: true, name: 'Load Admin' });
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

const failedChecks = (record: Recorded) => record.checks.filter((check) => !check.ok).map((check) => checkName(check.step, check.name));
const client = (record: Recorded = newRecord()) => runnerClient({ baseUrl, recorder: record });
const loadEmails = async () => (await t.services.users.list()).map((user) => user.email).filter((email) => email.startsWith('load-') && email !== ADMIN_EMAIL);

describe('the load journeys against the app', () => {
  it("setup() creates load users as an administrator would, every journey's checks pass, teardown() deletes them", async () => {
    const settings = loadSettings({ BASE_URL: baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD: PASSWORD, USERS: '2', SEED_TODOS: '4' });
    const setupRecord = newRecord();
    const data = await prepareLoadData(() => client(setupRecord), settings, loadProfile('smoke', settings));
    expect(data.users).toHaveLength(2);
    expect(data.apiTokens).toHaveLength(2);
    expect(await loadEmails()).toHaveLength(2);
    expect(failedChecks(setupRecord)).toEqual([]);
    for (const { step } of setupRecord.requests) expect(SETUP_STEPS).toContain(step);

    const stepsSeen = new Set<string>();
    for (const [index, name] of JOURNEY_NAMES.entries()) {
      const record = newRecord();
      await JOURNEYS[name](client(record), { user: data.users[index % 2], apiToken: data.apiTokens[index % 2], iteration: index });
      expect({ name, failed: failedChecks(record) }).toEqual({ name, failed: [] });
      expect(record.checks.length).toBeGreaterThanOrEqual(record.requests.length);
      for (const request of record.requests) {
        expect(JOURNEY_STEPS).toContain(request.step);
        stepsSeen.add(request.step);
      }
    }
    // Every step the thresholds name is one some journey takes.
    expect([...stepsSeen].sort()).toEqual([...JOURNEY_STEPS].sort());

    await removeLoadData(() => client(), settings, data);
    expect(await loadEmails()).toEqual([]);
  });

  it('given LOAD_USERS without API_TOKENS, setup() gives each a token for the run and teardown() revokes it', async () => {
    const user = await createUser(t, { email: 'given-load-user@example.com' });
    const settings = loadSettings({ BASE_URL: baseUrl, LOAD_USERS: `${user.email}:${PASSWORD}` });
    const data = await prepareLoadData(() => client(), settings, loadProfile('smoke', settings));
    expect(data).toEqual({ users: [{ email: user.email, password: PASSWORD }], apiTokens: [expect.any(String)], created: { users: [], tokens: [expect.anything()] } });
    const record = newRecord();
    await JOURNEYS.api_user(client(record), { user: data.users[0], apiToken: data.apiTokens[0], iteration: 0 });
    expect(failedChecks(record)).toEqual([]);

    await removeLoadData(() => client(), settings, data);
    const refused = await fetch(`${baseUrl}/api/todos`, { headers: { authorization: `Bearer ${data.apiTokens[0]}` } });
    expect(refused.status).toBe(401);
  });

  it('the k6 smoke script itself runs in Node with k6 stubbed: every request tagged with its step, no redirect followed, a cookie jar per iteration', async () => {
    resetRecords();
    const script = loadK6Script('smoke', { BASE_URL: baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD: PASSWORD, USERS: '2', SEED_TODOS: '3' });
    const data = await script.setup();
    const setupRequests = recorded.requests.length;
    const jars = new Set<unknown>();
    const journeys = new Set<JourneyName>();
    for (let iteration = 0; iteration < SMOKE_ITERATIONS; iteration++) {
      execution.scenario.iterationInTest = iteration;
      const before = recorded.requests.length;
      await script.default(data);
      const iterationJars = new Set(recorded.requests.slice(before).map((request) => request.params.jar));
      expect(iterationJars.size).toBe(1);
      for (const jar of iterationJars) {
        expect(jars.has(jar)).toBe(false);
        jars.add(jar);
      }
      if (recorded.requests[before].params.tags?.step === 'api_list') journeys.add('api_user');
      else journeys.add(recorded.requests.slice(before).some((request) => request.params.tags?.step === 'create_todo') ? 'browser_writer' : 'browser_reader');
    }
    await script.teardown(data);

    expect([...journeys].sort()).toEqual([...JOURNEY_NAMES].sort());
    expect(recorded.checks.filter((check) => !check.ok)).toEqual([]);
    for (const request of recorded.requests) {
      expect(request.params.redirects).toBe(0);
      expect([...JOURNEY_STEPS, ...SETUP_STEPS]).toContain(request.params.tags?.step);
      // k6 names the request by its step, not by its URL (which carries a todo's id).
      expect(request.params.tags?.name).toBe(request.params.tags?.step);
    }
    for (const request of recorded.requests.slice(setupRequests)) expect(request.params.tags?.step).toBeDefined();
    for (const check of recorded.checks) expect(check.name.startsWith(`${check.tags?.step} `)).toBe(true);
    // Check names are the same for every user and run: none names an account.
    expect(recorded.checks.filter((check) => check.name.includes('@'))).toEqual([]);
    expect(recorded.requests.some((request) => request.params.tags?.step === 'teardown_login')).toBe(true);
    expect(await loadEmails()).toEqual([]);

    const outputs = script.handleSummary({
      metrics: {
        iterations: { type: 'counter', values: { count: SMOKE_ITERATIONS } },
        http_reqs: { type: 'counter', values: { count: 150 } },
        http_req_failed: { type: 'rate', values: { rate: 0, passes: 0, fails: 150 }, thresholds: { 'rate<0.001': { ok: true } } },
        'http_req_failed{step:login}': { type: 'rate', values: { rate: 0, passes: 0, fails: 20 }, thresholds: { 'rate<0.01': { ok: true } } },
        'http_req_duration{step:login}': { type: 'trend', values: { med: 80, 'p(95)': 120, 'p(99)': 1500 }, thresholds: { 'p(99)<1000': { ok: false } } },
        checks: { type: 'rate', values: { rate: 1 }, thresholds: { 'rate>0.99': { ok: true } } },
      },
      root_group: { name: '', checks: [{ name: 'login status 303', passes: 20, fails: 0 }], groups: [] },
      state: { testRunDurationMs: 4200 },
    });
    const summary = JSON.parse(outputs['loadtest/results/smoke-summary.json']);
    expect(summary).toMatchObject({ testType: 'smoke', generator: 'k6', iterations: SMOKE_ITERATIONS, passed: false, steps: { login: { requests: 20, failures: 0, latency: { p99: 1500 } } } });
    expect(outputs['loadtest/results/smoke-junit.xml']).toContain('<failure message="http_req_duration{step:login}: p(99)&lt;1000 failed, measured 1500.0 ms"');
    expect(outputs.stdout).toContain('THRESHOLDS FAILED');
  });

  describe('when the deployment asks setup() to come back later', () => {
    let front: Server;
    let frontUrl: string;
    /** Answers planted for the next GET /login pages, before the app answers again. */
    const refusals: Array<{ status: number; retryAfter: string }> = [];

    beforeAll(async () => {
      front = createServer((request, response) => {
        const refusal = request.method === 'GET' && request.url === '/login' ? refusals.shift() : undefined;
        if (!refusal) return void t.app(request, response);
        response.writeHead(refusal.status, { 'retry-after': refusal.retryAfter, 'content-type': 'text/plain' }).end('come back later');
      });
      front.listen(0, '127.0.0.1');
      await new Promise((resolve) => front.once('listening', resolve));
      frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => front.close(resolve)));
    beforeEach(() => {
      refusals.length = 0;
    });

    const env = () => ({ BASE_URL: frontUrl, ADMIN_EMAIL, ADMIN_PASSWORD: PASSWORD, USERS: '1', SEED_TODOS: '0' });

    it('waits out a short Retry-After (429, then 503) and goes on, through the runner and through the k6 script', async () => {
      refusals.push({ status: 429, retryAfter: '1' }, { status: 503, retryAfter: '1' });
      const record = newRecord();
      const settings = loadSettings(env());
      const startedAt = Date.now();
      const data = await prepareLoadData(() => runnerClient({ baseUrl: frontUrl, recorder: record }), settings, loadProfile('smoke', settings));
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1900);
      expect(record.requests.filter((request) => request.step === 'setup_login_page').slice(0, 3).map((request) => request.status)).toEqual([429, 503, 200]);
      expect(failedChecks(record)).toEqual([]);
      await removeLoadData(() => client(), settings, data);

      resetRecords();
      refusals.push({ status: 429, retryAfter: new Date(Date.now() + 1500).toUTCString() });
      const script = loadK6Script('smoke', env());
      await script.teardown(await script.setup());
      expect(recorded.requests.filter((request) => request.params.tags?.step === 'setup_login_page').length).toBeGreaterThanOrEqual(3);
      expect(recorded.checks.filter((check) => !check.ok)).toEqual([]);
      expect(await loadEmails()).toEqual([]);
    });

    it('stops at once on a Retry-After longer than 30 s, naming the wait, and sends nothing more', async () => {
      refusals.push({ status: 429, retryAfter: '900' });
      const record = newRecord();
      const settings = loadSettings(env());
      await expect(prepareLoadData(() => runnerClient({ baseUrl: frontUrl, recorder: record }), settings, loadProfile('smoke', settings))).rejects.toThrow(
        'setup_login_page: GET /login answered 429, expected 200 with action="/login" (throttled, asked to come back in 900 s: see loadtest/README.md, "Letting the load generator through")',
      );
      expect(record.requests).toHaveLength(1);
      expect(await loadEmails()).toEqual([]);
    });

    it('gives up after three waits, naming the last answer', async () => {
      refusals.push(...Array.from({ length: 4 }, () => ({ status: 503, retryAfter: '0' })));
      const record = newRecord();
      const settings = loadSettings(env());
      await expect(prepareLoadData(() => runnerClient({ baseUrl: frontUrl, recorder: record }), settings, loadProfile('smoke', settings))).rejects.toThrow(
        'setup_login_page: GET /login answered 503, expected 200 with action="/login" (asked to come back in 0 s)',
      );
      expect(record.requests).toHaveLength(4);
    });
  });
});
