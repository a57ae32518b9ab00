import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { today } from '../../src/shared/days';
import { HTTP_DURATION_BUCKETS } from '../../src/observability/metrics';
import { createTestApp, createUser, loginAgent, TestApp } from '../helpers/testApp';
import { describeWithService } from '../helpers/requiredService';
import { CONTRACT_METRICS, labelValues, promtoolAvailable, promtoolComplaints, sampleValue } from '../helpers/exposition';
import { testEngine } from '../helpers/testDatabase';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';
const VERSION = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')).version as string;

describe('/metrics', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp({ METRICS_TOKEN });
  });
  afterEach(async () => {
    await t.close();
  });

  async function scrape(): Promise<string> {
    const res = await request(t.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    return res.text;
  }

  /** How much a counter grew while `action` ran. */
  async function growth(name: string, labels: Record<string, string>, action: () => Promise<unknown>): Promise<number> {
    const before = sampleValue(await scrape(), name, labels) ?? 0;
    await action();
    return (sampleValue(await scrape(), name, labels) ?? 0) - before;
  }

  describe('access', () => {
    it('refuses a scrape without the token or with a wrong one, with 401 and a bearer challenge', async () => {
      const none = await request(t.app).get('/metrics');
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(none.text).not.toContain('todobox_');
      const wrong = await request(t.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN.slice(0, -1)}x`);
      expect(wrong.status).toBe(401);
      expect(wrong.text).not.toContain('todobox_');
      const basic = await request(t.app).get('/metrics').set('Authorization', `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`);
      expect(basic.status).toBe(401);
    });

    it('answers the token with the text exposition holding every metric of the monitoring contract', async () => {
      const res = await request(t.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;/);
      expect(res.headers['content-type']).toContain('version=0.0.4');
      expect(res.headers['cache-control']).toBe('no-store');
      for (const name of CONTRACT_METRICS) expect(res.text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    });

    it('does not exist without METRICS_TOKEN (the metrics are then on the internal port or nowhere)', async () => {
      const without = await createTestApp();
      try {
        expect((await request(without.app).get('/metrics')).status).toBe(404);
        expect((await request(without.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
      } finally {
        await without.close();
      }
    });
  });

  describe('http_request_duration_seconds', () => {
    it('has the buckets of the latency target (0.2 s) and alert (0.5 s)', async () => {
      await createUser(t);
      await request(t.app).get('/login');
      const text = await scrape();
      const buckets = [...labelValues(text, 'http_request_duration_seconds_bucket', 'le')];
      expect(buckets).toEqual(expect.arrayContaining(['0.2', '0.5', '+Inf']));
      expect(buckets).toHaveLength(HTTP_DURATION_BUCKETS.length + 1);
      expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/login', status_code: '200' })).toBe(1);
    });

    it('labels a request with its route template, never the raw path', async () => {
      const user = await createUser(t);
      const agent = await loginAgent(t, user.email);
      const todo = await t.services.todos.create(user.id, { title: 'Pay rent', details: '', scheduledFor: today() });
      expect((await agent.get(`/todos/${todo.id}`)).status).toBe(200);
      expect((await agent.get('/todos/999999')).status).toBe(404);
      const { token } = await t.services.tokens.create(user.id, 'script');
      expect((await request(t.app).get('/api/todos/999999').set('Authorization', `Bearer ${token}`)).status).toBe(404);

      const text = await scrape();
      expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/todos/:id', status_code: '200' })).toBe(1);
      expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/todos/:id', status_code: '404' })).toBe(1);
      expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/todos/:id', status_code: '404' })).toBe(1);
      expect(labelValues(text, 'http_request_duration_seconds_count', 'route')).toEqual(
        new Set(['/login', '/todos/:id', '/api/todos/:id']),
      );
    });

    it('puts an unknown path under the route "unmatched"', async () => {
      await createUser(t);
      expect((await request(t.app).get('/no/such/path/xyz')).status).toBe(404);
      const text = await scrape();
      expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
      expect(text).not.toContain('/no/such/path');
    });

    it('does not observe scrapes, probes or static files', async () => {
      await request(t.app).get('/healthz').expect(200);
      await request(t.app).get('/readyz').expect(200);
      await request(t.app).get('/static/does-not-exist.css');
      await scrape();
      const routes = labelValues(await scrape(), 'http_request_duration_seconds_count', 'route');
      expect([...routes]).toEqual([]);
    });
  });

  describe('security counters', () => {
    it('start at 0 for every result and reason', async () => {
      const text = await scrape();
      for (const result of ['success', 'failure', 'throttled']) {
        expect(sampleValue(text, 'todobox_login_attempts_total', { result })).toBe(0);
      }
      for (const reason of ['csrf', 'auth', 'forbidden', 'rate_limited']) {
        expect(sampleValue(text, 'todobox_unauthorized_requests_total', { reason })).toBe(0);
      }
    });

    it('count successful, failed and throttled logins', async () => {
      const user = await createUser(t);
      expect(await growth('todobox_login_attempts_total', { result: 'success' }, () => loginAgent(t, user.email))).toBe(1);

      const agent = request.agent(t.app);
      const page = await agent.get('/login');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      const attempt = () => agent.post('/login').type('form').send({ _csrf: csrf, email: user.email, password: 'wrong password!' });
      expect(await growth('todobox_login_attempts_total', { result: 'failure' }, async () => expect((await attempt()).status).toBe(401))).toBe(1);
      for (let i = 0; i < 4; i++) await attempt();
      const throttledBefore = sampleValue(await scrape(), 'todobox_unauthorized_requests_total', { reason: 'rate_limited' });
      expect(await growth('todobox_login_attempts_total', { result: 'throttled' }, async () => expect((await attempt()).status).toBe(429))).toBe(1);
      const text = await scrape();
      expect(sampleValue(text, 'todobox_login_attempts_total', { result: 'failure' })).toBe(5);
      expect(sampleValue(text, 'todobox_unauthorized_requests_total', { reason: 'rate_limited' })).toBe(throttledBefore! + 1);
      // A failed login is a login failure, not also an "auth" refusal: the alert adds both up.
      expect(sampleValue(text, 'todobox_unauthorized_requests_total', { reason: 'auth' })).toBe(0);
    });

    it('count a CSRF rejection as csrf', async () => {
      const grew = await growth('todobox_unauthorized_requests_total', { reason: 'csrf' }, async () => {
        expect((await request(t.app).post('/login').type('form').send({ email: 'a@example.com', password: 'x' })).status).toBe(403);
      });
      expect(grew).toBe(1);
      expect(sampleValue(await scrape(), 'todobox_unauthorized_requests_total', { reason: 'forbidden' })).toBe(0);
    });

    it('count API calls without a valid token, pages that need a login and a wrong metrics token as auth', async () => {
      await createUser(t);
      const grew = await growth('todobox_unauthorized_requests_total', { reason: 'auth' }, async () => {
        expect((await request(t.app).get('/api/todos')).status).toBe(401);
        expect((await request(t.app).get('/api/todos').set('Authorization', 'Bearer not-a-token')).status).toBe(401);
        expect((await request(t.app).get('/todos/new')).status).toBe(303);
        expect((await request(t.app).get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
      });
      expect(grew).toBe(4);
    });

    it('count a non-administrator on an admin page as forbidden', async () => {
      await createUser(t, { isAdmin: true });
      const user = await createUser(t);
      const agent = await loginAgent(t, user.email);
      const grew = await growth('todobox_unauthorized_requests_total', { reason: 'forbidden' }, async () => {
        expect((await agent.get('/admin/users')).status).toBe(403);
      });
      expect(grew).toBe(1);
    });
  });

  describe('database and build', () => {
    it('times queries by operation', async () => {
      const user = await createUser(t);
      await t.services.todos.create(user.id, { title: 'Count me', details: '', scheduledFor: today() });
      const text = await scrape();
      expect(sampleValue(text, 'todobox_db_query_duration_seconds_count', { operation: 'select' })).toBeGreaterThan(0);
      expect(sampleValue(text, 'todobox_db_query_duration_seconds_count', { operation: 'insert' })).toBeGreaterThan(0);
      expect(sampleValue(text, 'todobox_db_query_duration_seconds_sum', { operation: 'select' })).toBeGreaterThan(0);
      for (const operation of labelValues(text, 'todobox_db_query_duration_seconds_count', 'operation')) {
        expect(['select', 'insert', 'update', 'delete', 'other']).toContain(operation);
      }
    });

    it('reports the pool by state at scrape time', async () => {
      await createUser(t);
      const text = await scrape();
      const counts = Object.fromEntries(
        ['used', 'idle', 'waiting'].map((state) => [state, sampleValue(text, 'todobox_db_pool_connections', { state })]),
      );
      for (const value of Object.values(counts)) expect(value).toEqual(expect.any(Number));
      // SQLite keeps its one connection outside the pool; the servers' pools hold what the queries opened.
      if (testEngine() !== 'sqlite') expect(counts.used! + counts.idle!).toBeGreaterThanOrEqual(1);
    });

    it('names the version and Node.js version in todobox_build_info', async () => {
      const text = await scrape();
      expect(sampleValue(text, 'todobox_build_info', { version: VERSION, node_version: process.versions.node })).toBe(1);
    });
  });
});

describeWithService('promtool (apt package prometheus)', promtoolAvailable(), '/metrics against promtool check metrics', () => {
  it('raises no complaint about the app\'s own metrics', async () => {
    const t = await createTestApp({ METRICS_TOKEN });
    try {
      const user = await createUser(t);
      await loginAgent(t, user.email);
      await request(t.app).get('/no/such/path');
      const res = await request(t.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
      const complaints = promtoolComplaints(res.text);
      expect(complaints.filter((line) => /^(todobox_|http_)/.test(line))).toEqual([]);
      // Only prom-client's default gauges named *_total remain (a known naming complaint).
      expect(complaints.every((line) => /^nodejs_\w+_total non-counter metrics should not have "_total" suffix$/.test(line))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
