import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
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
    }
    for (const request of recorded.requests.slice(setupRequests)) expect(request.params.tags?.step).toBeDefined();
    for (const check of recorded.checks) expect(check.name.startsWith(`${check.tags?.step} `)).toBe(true);
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
    expect(outputs['loadtest/results/smoke-junit.xml']).toContain('<failure message="http_req_duration{step:login}: p(99)&lt;1000 failed"');
    expect(outputs.stdout).toContain('THRESHOLDS FAILED');
  });
});
