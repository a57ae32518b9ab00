import request from 'supertest';
import { sign } from 'cookie-signature';
import { REMEMBER_ME_MS } from '../../src/auth/session';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, PASSWORD, postForm, TestApp } from '../helpers/testApp';
import { withClock } from '../helpers/clock';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The session id a response's Set-Cookie gives, if it sets the session cookie. */
function sessionIdSet(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const value = cookies.map((cookie) => /^todobox\.sid=([^;]+)/.exec(cookie)?.[1]).find(Boolean);
  return value && decodeURIComponent(value).slice(2).split('.')[0];
}

/** The cookies a response sets, as a Cookie header sending them back. */
function cookieHeader(res: request.Response): string {
  return ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((cookie) => cookie.split(';')[0]).join('; ');
}

function cookieExpiry(res: request.Response): number | undefined {
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((each) => each.startsWith('todobox.sid='));
  const expires = cookie && /Expires=([^;]+)/i.exec(cookie)?.[1];
  return expires ? new Date(expires).getTime() : undefined;
}

async function logIn(t: TestApp, email: string, remember: boolean) {
  const agent = request.agent(t.app);
  const token = await csrfTokenFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, email, password: PASSWORD, ...(remember ? { remember: 'on' } : {}) });
  expect(res.status).toBe(303);
  return { agent, sid: sessionIdSet(res)!, res };
}

describe('the session promises', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('keeps a remember-me login through an idle time longer than SESSION_TIMEOUT_MINUTES', async () => {
    await createUser(t, { email: 'remembered-idle@example.com' });
    await withClock(async (clock) => {
      const { agent } = await logIn(t, 'remembered-idle@example.com', true);
      clock.now += (t.config.sessionTimeoutMinutes + 30) * MINUTE;
      expect((await agent.get('/todos/today')).status).toBe(200);
    });
  });

  it('ends a remember-me login 30 days after it began however active it is, in the cookie and in the store', async () => {
    await createUser(t, { email: 'remembered-busy@example.com' });
    await withClock(async (clock) => {
      const loggedInAt = clock.now;
      const { agent, sid, res } = await logIn(t, 'remembered-busy@example.com', true);
      const ends = loggedInAt + REMEMBER_ME_MS;
      expect(Math.abs(cookieExpiry(res)! - ends)).toBeLessThan(2000);
      for (let day = 1; day < 30; day += 2) {
        clock.now = loggedInAt + day * DAY;
        const page = await agent.get('/todos/today');
        expect({ day, status: page.status }).toEqual({ day, status: 200 });
        const renewed = cookieExpiry(page);
        if (renewed !== undefined) expect({ day, drift: Math.abs(renewed - ends) < 2000 }).toEqual({ day, drift: true });
        expect({ day, drift: Math.abs((await t.sessionExpiries()).get(sid)! - ends) < 2000 }).toEqual({ day, drift: true });
      }
      clock.now = ends + MINUTE;
      // A browser drops the cookie then; one sent anyway (a copy) no longer logs anybody in.
      const replayed = await request(t.app).get('/todos/today').set('Cookie', cookieHeader(res));
      expect(replayed.headers.location).toBe('/login');
      expect((await agent.get('/todos/today')).headers.location).toBe('/login');
    });
  });

  it('slides the idle timeout with activity and has the store drop an idle session after the idle time', async () => {
    await createUser(t, { email: 'idle-store@example.com' });
    const timeoutMs = t.config.sessionTimeoutMinutes * MINUTE;
    await withClock(async (clock) => {
      const { agent, sid } = await logIn(t, 'idle-store@example.com', false);
      const storeEnd = async () => (await t.sessionExpiries()).get(sid)!;
      // The store keeps it for the idle time and the two minutes a read-only visit may be late in saving it.
      const expectEndAfter = async (lastSave: number) => {
        const end = await storeEnd();
        expect(end).toBeGreaterThan(lastSave + timeoutMs);
        expect(end).toBeLessThanOrEqual(lastSave + timeoutMs + 2 * MINUTE + 2000);
      };
      await expectEndAfter(clock.now);
      clock.now += timeoutMs * 0.8;
      expect((await agent.get('/todos/today')).status).toBe(200);
      await expectEndAfter(clock.now);
      clock.now += timeoutMs * 0.8;
      expect((await agent.get('/todos/today')).status).toBe(200);
      clock.now += timeoutMs + MINUTE;
      expect((await agent.get('/todos/today')).headers.location).toBe('/login');
      expect((await t.sessionExpiries()).has(sid)).toBe(false);
    });
  });

  it('says "your session expired" on the login page for a session the store no longer holds, and not after a logout', async () => {
    await createUser(t, { email: 'dropped@example.com' });
    // A cookie the app signed for a session its store has let go of (expired there, or lost with a restarted Redis).
    const deadCookie = `todobox.sid=${encodeURIComponent(`s:${sign('a-session-the-store-let-go', t.config.secretKey)}`)}`;
    const redirected = await request(t.app).get('/todos/today').set('Cookie', deadCookie);
    expect(redirected.headers.location).toBe('/login');
    const login = await request(t.app).get('/login').set('Cookie', cookieHeader(redirected));
    expect(login.text).toContain('Your session expired. Please log in again.');
    const direct = await request(t.app).get('/login').set('Cookie', deadCookie);
    expect(direct.text).toContain('Your session expired. Please log in again.');
    const unknown = await request(t.app).get('/login').set('Cookie', `todobox.sid=${encodeURIComponent('s:forged.signature')}`);
    expect(unknown.text).not.toContain('expired');

    const again = await loginAgent(t, 'dropped@example.com');
    expect((await postForm(again, '/', '/logout', {})).status).toBe(303);
    expect((await again.get('/login')).text).not.toContain('expired');
  });

  it('gives the session a new id when its user changes the password, and ends the old id', async () => {
    await createUser(t, { email: 'rotate@example.com' });
    const { agent, sid } = await logIn(t, 'rotate@example.com', false);
    const changed = await postForm(agent, '/account', '/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
      confirmPassword: 'a brand new passphrase',
    });
    expect(changed.status).toBe(303);
    const renewed = sessionIdSet(changed);
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(sid);
    expect((await agent.get('/account')).status).toBe(200);
    expect((await t.sessionExpiries()).has(sid)).toBe(false);
  });

  it('revokes a blocked user\'s API tokens, so unblocking does not bring them back', async () => {
    const admin = await createUser(t, { email: 'blocker@example.com', isAdmin: true });
    const user = await createUser(t, { email: 'blocked-tokens@example.com' });
    const { token } = await t.services.tokens.create(user.id, 'nightly export');
    const api = () => request(t.app).get('/api/todos').set('Authorization', `Bearer ${token}`);
    expect((await api()).status).toBe(200);
    const adminAgent = await loginAgent(t, admin.email);
    expect((await postForm(adminAgent, '/admin/users', `/admin/users/${user.id}/block`, {})).status).toBe(303);
    expect((await postForm(adminAgent, '/admin/users', `/admin/users/${user.id}/unblock`, {})).status).toBe(303);
    expect((await api()).status).toBe(401);
    expect(await t.db.models.ApiToken.count({ where: { userId: user.id } })).toBe(0);
  });

  it('escapes HTML in every field a user controls: a todo\'s title, a name, a token name and a list search', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const user = await createUser(t, { email: 'escape@example.com', name: `Eve ${hostile}` });
    const todo = await t.services.todos.create(user.id, { title: `Buy ${hostile}`, details: '' });
    await t.services.tokens.create(user.id, `token ${hostile}`);
    const agent = await loginAgent(t, user.email);
    const pages = ['/', '/todos/today', `/todos/${todo.id}`, `/todos/${todo.id}/edit`, '/account', '/account/tokens',
      `/todos/today?q=${encodeURIComponent(hostile)}`, `/todos/undone?q=${encodeURIComponent(hostile)}`];
    for (const page of pages) {
      const res = await agent.get(page);
      expect([page, res.status, res.text.includes(hostile)]).toEqual([page, 200, false]);
      expect([page, res.text.includes('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;')]).toEqual([page, true]);
    }
  });
});

describe('behind one proxy (TRUST_PROXY=1, as behind nginx or an ALB)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '1' });
  });
  afterAll(() => t.close());

  it('marks the session cookie Secure and sends HSTS', async () => {
    await createUser(t, { email: 'behind-proxy@example.com' });
    const page = await request(t.app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    // Sent back by hand: a cookie jar keeps Secure cookies from a plain-HTTP test client.
    const res = await request(t.app).post('/login').set('X-Forwarded-Proto', 'https').set('Cookie', cookieHeader(page)).type('form')
      .send({ _csrf: token, email: 'behind-proxy@example.com', password: PASSWORD });
    expect(res.status).toBe(303);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((each) => each.startsWith('todobox.sid='));
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
  });

  it('counts failed logins against the address the proxy saw, whatever a client puts before it in X-Forwarded-For', async () => {
    await createUser(t, { email: 'proxied@example.com' });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    const attempt = (forged: string, email: string) =>
      agent.post('/login').set('X-Forwarded-For', `${forged}, 203.0.113.7`).type('form').send({ _csrf: token, email, password: 'not the password' });
    for (let i = 0; i < 20; i++) {
      expect((await attempt(`198.51.100.${i}`, `nobody${i}@example.com`)).status).toBe(401);
    }
    expect((await attempt('192.0.2.1', 'proxied@example.com')).status).toBe(429);
    const failures = t.logs.entries.filter((entry) => entry.event === 'login_failed');
    expect(new Set(failures.map((entry) => entry.ip))).toEqual(new Set(['203.0.113.7']));
  });
});

describe('a 500 in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ NODE_ENV: 'production', SECRET_KEY: 'k'.repeat(64), SALT: 's'.repeat(32) });
  });
  afterAll(() => t.close());

  it('shows neither a stack trace nor the failed query, on a page or in the API', async () => {
    const user = await createUser(t, { email: 'broken@example.com' });
    const { token } = await t.services.tokens.create(user.id, 'script');
    const agent = await loginAgent(t, user.email);
    await t.db.sequelize.getQueryInterface().renameTable('todo', 'todo_moved_away');
    try {
      const page = await agent.get('/todos/undone');
      const api = await request(t.app).get('/api/todos').set('Authorization', `Bearer ${token}`);
      for (const res of [page, api]) {
        expect(res.status).toBe(500);
        expect(res.text).not.toMatch(/\bat .*\.[jt]s:\d+/);
        expect(res.text).not.toMatch(/SELECT|todo_moved_away|no such table|doesn't exist|does not exist/i);
      }
      expect(page.text).toContain('Something went wrong');
    } finally {
      await t.db.sequelize.getQueryInterface().renameTable('todo_moved_away', 'todo');
    }
  });
});
