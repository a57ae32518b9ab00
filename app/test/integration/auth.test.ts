import request from 'supertest';
import { createAuthService } from '../../src/auth/service';
import { createLoginThrottle } from '../../src/auth/loginThrottle';
import { createUserService } from '../../src/accounts/userService';
import type { Database } from '../../src/db/database';
import { today } from '../../src/shared/days';
import { enginesWithOwnDatabase, removeAllUsers } from '../helpers/engineDatabases';
import { describeWithService } from '../helpers/requiredService';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, PASSWORD, postForm, TestApp } from '../helpers/testApp';
import session from 'express-session';
import { sign } from 'cookie-signature';
import { createClient } from 'redis';
import { CachedSessionStore } from '../../src/auth/cachedSessionStore';
import { rememberLoadedSessions } from '../../src/auth/loadedSessions';
import { databaseSessionStore, redisSessionStore } from '../../src/auth/session';
import { FLASH_LIFETIME_MS } from '../../src/middleware/flash';
import { REDIS_TEST_URL, uniqueRedisKeyPrefix } from '../helpers/requiredService';

const CSRF_FIELD = /name="_csrf" value="([^"]*)"/g;

function csrfValues(html: string): string[] {
  return [...html.matchAll(CSRF_FIELD)].map((match) => match[1]);
}

describe('first run and login', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('sends every page to /setup while there are no users, and setup creates an administrator', async () => {
    const agent = request.agent(t.app);
    for (const page of ['/', '/login', '/todos/today', '/account']) {
      const res = await agent.get(page);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/setup');
    }
    const res = await postForm(agent, '/setup', '/setup', {
      name: 'Ada',
      email: 'Ada@Example.com',
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(res.status).toBe(303);
    const users = await t.services.users.list();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: 'ada@example.com', isAdmin: true });
    expect((await agent.get('/setup')).headers.location).toBe('/');
  });

  it('shows validation errors beside the fields on setup and creates nothing', async () => {
    const agent = request.agent(t.app);
    const res = await postForm(agent, '/setup', '/setup', { name: '', email: 'nope', password: 'short', confirm: 'other' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a name');
    expect(res.text).toContain('Enter a valid email address');
    expect(res.text).toContain('at least 10 characters');
    expect(await t.services.users.count()).toBe(0);
  });

  it('shows a message for the whole setup form when the body is not a set of fields', async () => {
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/setup');
    const res = await agent.post('/setup').set('X-CSRF-Token', token).send(['Ada', 'ada@example.com']);
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/role="alert">The form could not be read\. Reload the page and try again\.</);
    expect(await t.services.users.count()).toBe(0);
  });

  it('creates one first administrator when setups race, and refuses the others with 409', async () => {
    const agents = [request.agent(t.app), request.agent(t.app), request.agent(t.app)];
    const tokens = await Promise.all(agents.map((agent) => csrfTokenFrom(agent, '/setup')));
    const responses = await Promise.all(
      agents.map((agent, index) =>
        agent
          .post('/setup')
          .type('form')
          .send({ _csrf: tokens[index], name: `Admin ${index}`, email: `admin${index}@example.com`, password: PASSWORD, confirm: PASSWORD }),
      ),
    );
    expect(responses.map((res) => res.status).sort()).toEqual([303, 409, 409]);
    expect(responses.find((res) => res.status === 409)?.text).toContain('already set up');
    expect(await t.services.users.count()).toBe(1);
  });

  it('says in words how long an email address may be at login', async () => {
    await createUser(t, { email: 'someone@example.com' });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: `${'a'.repeat(300)}@example.com`, password: 'x' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('An email address has at most 254 characters');
    expect(res.text).not.toContain('character(s)');
  });

  it('rejects a form without a CSRF token with a 403 page that says why', async () => {
    const res = await request(t.app).post('/setup').type('form').send({ name: 'x', email: 'x@example.com', password: PASSWORD, confirm: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('CSRF');
    expect(await t.services.users.count()).toBe(0);
  });

  it('logs in, changes the session id, returns to the page asked for, and logs out', async () => {
    const user = await createUser(t, { email: 'bob@example.com' });
    const agent = request.agent(t.app);
    const first = await agent.get('/account');
    expect(first.headers.location).toBe('/login');
    const token = await csrfTokenFrom(agent, '/login');
    const before = agent.jar.getCookie('todobox.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false });
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'BOB@example.com', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/todobox\.sid=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Expires=/i);
    expect(setCookie).not.toContain(before?.value ?? 'no-cookie-before');
    expect((await agent.get('/')).status).toBe(200);
    expect(user.id).toBeGreaterThan(0);
    const logoutToken = await csrfTokenFrom(agent, '/');
    expect((await agent.post('/logout').type('form').send({ _csrf: logoutToken })).status).toBe(303);
    expect((await agent.get('/')).headers.location).toBe('/login');
  });

  it('keeps sessions in the shared store (the database, or Redis when configured), not in memory', async () => {
    await createUser(t, { email: 'stored@example.com' });
    await loginAgent(t, 'stored@example.com');
    const loggedIn = (await t.sessionData()).filter((data) => data.includes('"passport"'));
    expect(loggedIn).toHaveLength(1);
    expect(loggedIn[0]).not.toContain(PASSWORD);
    if (t.sessionStore === 'redis') expect(await t.db.models.Session.count()).toBe(0);
  });

  it('never redirects after login to another site, however the page asked for was spelled', async () => {
    await createUser(t, { email: 'eve@example.com' });
    for (const wanted of ['/admin/..//evil.example', '/admin/.%2e//evil.example', '/admin/.././/evil.example']) {
      const agent = request.agent(t.app);
      expect((await agent.get(wanted)).headers.location).toBe('/login');
      const token = await csrfTokenFrom(agent, '/login');
      const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'eve@example.com', password: PASSWORD, next: '//evil.example' });
      expect({ wanted, location: res.headers.location }).toEqual({ wanted, location: '/' });
    }
  });

  it('takes any remember value other than on, true or 1 as unticked', async () => {
    await createUser(t, { email: 'norem@example.com' });
    for (const remember of ['off', 'no', '0', 'false', '']) {
      const agent = request.agent(t.app);
      const token = await csrfTokenFrom(agent, '/login');
      const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'norem@example.com', password: PASSWORD, remember });
      expect({ remember, status: res.status }).toEqual({ remember, status: 303 });
      expect(String(res.headers['set-cookie'])).not.toMatch(/Expires=/i);
    }
  });

  it('shows a message for the whole login form when the body is not a set of fields', async () => {
    await createUser(t, { email: 'json@example.com' });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    const res = await agent.post('/login').set('X-CSRF-Token', token).send(['json@example.com', PASSWORD]);
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/role="alert">The form could not be read\. Reload the page and try again\.</);
  });

  it('gives a remember-me login a 30-day cookie', async () => {
    await createUser(t, { email: 'rem@example.com' });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'rem@example.com', password: PASSWORD, remember: 'on' });
    const cookie = String(res.headers['set-cookie']);
    const expires = /Expires=([^;]+)/i.exec(cookie)?.[1];
    expect(expires).toBeDefined();
    const days = (new Date(expires!).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
  });

  it('ends an idle session after SESSION_TIMEOUT_MINUTES and says so', async () => {
    await createUser(t, { email: 'idle@example.com' });
    const agent = await loginAgent(t, 'idle@example.com');
    expect((await agent.get('/')).status).toBe(200);
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + (t.config.sessionTimeoutMinutes + 1) * 60_000;
      const res = await agent.get('/todos/today');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    } finally {
      Date.now = realNow;
    }
    const page = await agent.get('/login');
    expect(page.text).toContain('Your session expired');
  });

  it('writes a session that is only read at most once a minute, and slides the idle timeout with it', async () => {
    await createUser(t, { email: 'reader@example.com' });
    const agent = await loginAgent(t, 'reader@example.com');
    const lastSeen = async () => {
      const [data] = (await t.sessionData()).filter((each) => each.includes('"passport"'));
      return (JSON.parse(data) as { lastSeenAt: number }).lastSeenAt;
    };
    const loggedInAt = await lastSeen();
    const realNow = Date.now;
    try {
      for (let read = 0; read < 3; read++) expect((await agent.get('/todos/today')).status).toBe(200);
      expect(await lastSeen()).toBe(loggedInAt);
      const minutesLater = (minutes: number) => (Date.now = () => loggedInAt + minutes * 60_000);
      minutesLater(0.5);
      expect((await agent.get('/todos/today')).status).toBe(200);
      expect(await lastSeen()).toBe(loggedInAt);
      // The idle timeout counts from the last saved visit: reads an hour apart keep a 2-hour timeout from ending.
      const timeout = t.config.sessionTimeoutMinutes;
      for (const minutes of [timeout * 0.6, timeout * 1.2, timeout * 1.8]) {
        minutesLater(minutes);
        expect({ minutes, status: (await agent.get('/todos/today')).status }).toEqual({ minutes, status: 200 });
        expect(await lastSeen()).toBe(Date.now());
        expect((await agent.get('/todos/today')).status).toBe(200);
      }
      minutesLater(timeout * 1.8 + timeout + 1);
      expect((await agent.get('/todos/today')).headers.location).toBe('/login');
    } finally {
      Date.now = realNow;
    }
  });

  it('writes no session for a form whose page only shows a message afterwards', async () => {
    await createUser(t, { email: 'writer@example.com' });
    const agent = await loginAgent(t, 'writer@example.com');
    await agent.get('/todos/new');
    const before = await t.sessionData();
    const modifiedBefore = t.sessionStore === 'database' ? (await t.db.models.Session.findAll()).map((row) => row.get('modified')) : [];
    const created = await postForm(agent, '/todos/new', '/todos', { title: 'No session write', details: '', when: 'today' });
    expect(created.status).toBe(303);
    expect(await t.sessionData()).toEqual(before);
    if (t.sessionStore === 'database') expect((await t.db.models.Session.findAll()).map((row) => row.get('modified'))).toEqual(modifiedBefore);
    const shown = await agent.get(created.headers.location);
    expect(shown.text).toContain('Todo &quot;No session write&quot; created.');
    expect((await agent.get(created.headers.location)).text).not.toContain('created.</div>');
  });

  it('shows no message from a flash cookie whose signature does not check out, and ends that cookie', async () => {
    await createUser(t, { email: 'forged@example.com' });
    const form = await request(t.app).get('/login');
    const formCookie = String(form.headers['set-cookie']).split(';')[0];
    const login = await request(t.app)
      .post('/login')
      .set('Cookie', formCookie)
      .type('form')
      .send({ _csrf: csrfValues(form.text)[0], email: 'forged@example.com', password: PASSWORD });
    const sessionCookie = String(login.headers['set-cookie']).split(';')[0];
    const forged = Buffer.from(JSON.stringify([{ type: 'error', message: 'Your account is compromised: call 555-0100' }])).toString('base64url');
    for (const value of [forged, `${forged}.not-the-signature`]) {
      const res = await request(t.app).get('/todos/today').set('Cookie', `${sessionCookie}; todobox.flash=${value}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('compromised');
      expect(String(res.headers['set-cookie'])).toMatch(/todobox\.flash=;/);
    }
  });

  it('keeps a session ended while a request was under way ended when that request saves it afterwards', async () => {
    const redis = t.sessionStore === 'redis' ? createClient({ url: REDIS_TEST_URL }) : undefined;
    await redis?.connect();
    try {
      const inner = redis ? redisSessionStore(redis as never, { ...t.config, redisKeyPrefix: uniqueRedisKeyPrefix() }) : databaseSessionStore(t.db, t.config);
      const stores = [inner, ...(t.sessionStore === 'database' ? [new CachedSessionStore(inner, { maxBytes: 1_000_000, ttlMs: 60_000 })] : [])];
      for (const [index, store] of stores.entries()) {
        rememberLoadedSessions(store);
        const sid = `ended-under-way-${index}`;
        const call = <T>(run: (done: (error?: unknown, value?: T) => void) => void) =>
          new Promise<T | undefined>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
        const fresh = { cookie: { originalMaxAge: null, httpOnly: true, path: '/' }, passport: { user: 1 }, lastSeenAt: 1 } as unknown as session.SessionData;
        await call((done) => store.set(sid, fresh, done));
        const read = await call<session.SessionData | null>((done) => store.get(sid, done));
        // The request under way holds the session as express-session made it from what it read.
        const underWay = store.createSession({ sessionID: sid, sessionStore: store } as never, read!);
        await call((done) => store.destroy(sid, done));
        await call((done) => store.set(sid, underWay, done));
        expect({ store: store.constructor.name, after: await call((done) => store.get(sid, done)) }).toEqual({ store: store.constructor.name, after: null });
      }
    } finally {
      await redis?.quit();
    }
  });

  it('shows no message from a signed flash cookie past its lifetime', async () => {
    await createUser(t, { email: 'stale@example.com' });
    const agent = await loginAgent(t, 'stale@example.com');
    const payload = (until: number) => Buffer.from(JSON.stringify({ messages: [{ type: 'info', message: 'From long ago' }], until })).toString('base64url');
    const page = (value: string) => agent.get('/todos/today').set('Cookie', `todobox.flash=${encodeURIComponent(sign(value, t.config.secretKey))}`);
    expect((await page(payload(Date.now() + FLASH_LIFETIME_MS))).text).toContain('From long ago');
    expect((await page(payload(Date.now() - 1))).text).not.toContain('From long ago');
  });

  it('logs a failed login with the login and address, never the password', async () => {
    await createUser(t, { email: 'log@example.com' });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'log@example.com', password: 'wrong-password-123' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Invalid email or password');
    const line = t.logs.entries.find((entry) => entry.message === 'Invalid username or password');
    expect(line).toMatchObject({ login: 'log@example.com', event: 'login_failed' });
    expect(line?.ip).toBeTruthy();
    expect(t.logs.text()).not.toContain('wrong-password-123');
  });

  it('throttles after 5 failures for one account with 429 and the time to wait', async () => {
    await createUser(t, { email: 'victim@example.com' });
    const agent = request.agent(t.app);
    for (let attempt = 0; attempt < 5; attempt++) {
      const token = await csrfTokenFrom(agent, '/login');
      const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'victim@example.com', password: `wrong-${attempt}-password` });
      expect(res.status).toBe(401);
    }
    const token = await csrfTokenFrom(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'victim@example.com', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(800);
    expect(res.text).toMatch(/Try again in 1[45] minutes/);
  });

  it('throttles after 20 failures from one address across accounts', async () => {
    await createUser(t, { email: 'other@example.com' });
    const agent = request.agent(t.app);
    for (let attempt = 0; attempt < 20; attempt++) {
      const token = await csrfTokenFrom(agent, '/login');
      const res = await agent.post('/login').type('form').send({ _csrf: token, email: `nobody${attempt}@example.com`, password: 'whatever-password' });
      expect(res.status).toBe(401);
    }
    const token = await csrfTokenFrom(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'other@example.com', password: PASSWORD });
    expect(res.status).toBe(429);
  });

  async function tryLogin(agent: request.Agent, token: string, email: string, password: string) {
    return agent.post('/login').type('form').send({ _csrf: token, email, password });
  }

  it('checks at most 5 of 12 concurrent wrong passwords and refuses the rest with 429', async () => {
    await createUser(t, { email: 'target@example.com' });
    // An agent on the bare app listens for each request and closes when the first one ends, which
    // would reset the others still under way: the concurrent attempts share one listening server.
    const server = t.app.listen(0);
    try {
      const agent = request.agent(server);
      const token = await csrfTokenFrom(agent, '/login');
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, attempt) => tryLogin(agent, token, 'target@example.com', `wrong-password-${attempt}`)),
      );
      const statuses = responses.map((res) => res.status);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((status) => status !== 401).every((status) => status === 429)).toBe(true);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(7);
      const refused = responses.find((res) => res.status === 429);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(800);
      expect((await tryLogin(agent, token, 'target@example.com', PASSWORD)).status).toBe(429);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });

  it('never counts right passwords against the address, so a busy shared address keeps logging in', async () => {
    await createUser(t, { email: 'office@example.com' });
    for (let login = 0; login < 25; login++) {
      const agent = request.agent(t.app);
      const res = await tryLogin(agent, await csrfTokenFrom(agent, '/login'), 'office@example.com', PASSWORD);
      expect({ login, status: res.status }).toEqual({ login, status: 303 });
    }
    const agent = request.agent(t.app);
    expect((await tryLogin(agent, await csrfTokenFrom(agent, '/login'), 'office@example.com', 'wrong-password')).status).toBe(401);
  });

  it('starts the count of an account afresh after a right password', async () => {
    await createUser(t, { email: 'forgetful@example.com' });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    for (let round = 0; round < 2; round++) {
      for (let attempt = 0; attempt < 4; attempt++) {
        expect((await tryLogin(agent, token, 'forgetful@example.com', `wrong-${attempt}-password`)).status).toBe(401);
      }
      const fresh = request.agent(t.app);
      expect((await tryLogin(fresh, await csrfTokenFrom(fresh, '/login'), 'forgetful@example.com', PASSWORD)).status).toBe(303);
    }
  });

  it('counts failures against the account itself, whichever email reaches it', async () => {
    const user = await createUser(t, { email: 'ada@example.com' });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await tryLogin(agent, token, 'ada@example.com', `wrong-${attempt}-password`)).status).toBe(401);
    }
    await t.services.users.updateProfile(user.id, { name: 'Ada', email: 'countess@example.com' });
    expect((await tryLogin(agent, token, 'countess@example.com', PASSWORD)).status).toBe(429);
  });

  it('counts a login that matches no account by its NFKC lower-case form', async () => {
    await createUser(t, { email: 'someone@example.com' });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await tryLogin(agent, token, 'ＧＨＯＳＴ@example.com', `wrong-${attempt}-password`)).status).toBe(401);
    }
    expect((await tryLogin(agent, token, 'ghost@example.com', 'another-password')).status).toBe(429);
  });

  it('refuses a blocked user at login and ends their live session at once', async () => {
    const admin = await createUser(t, { email: 'admin@example.com', isAdmin: true });
    const user = await createUser(t, { email: 'blocked@example.com' });
    const agent = await loginAgent(t, 'blocked@example.com');
    expect((await agent.get('/')).status).toBe(200);
    await t.services.users.setBlocked(admin.id, user.id, true);
    expect((await agent.get('/')).headers.location).toBe('/login');
    const fresh = request.agent(t.app);
    const token = await csrfTokenFrom(fresh, '/login');
    const res = await fresh.post('/login').type('form').send({ _csrf: token, email: 'blocked@example.com', password: PASSWORD });
    expect(res.status).toBe(401);
    expect(res.text).toContain('blocked');
  });

  it('keeps registration closed by default', async () => {
    await createUser(t);
    expect((await request(t.app).get('/register')).status).toBe(404);
  });
});

describe('open registration', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ REGISTRATION: 'open' });
  });
  afterEach(() => t.close());

  it('shows a message for the whole form when the body is not a set of fields', async () => {
    await createUser(t, { isAdmin: true });
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/register');
    const res = await agent.post('/register').set('X-CSRF-Token', token).send(['New', 'new@example.com']);
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/role="alert">The form could not be read\. Reload the page and try again\.</);
    expect(await t.services.users.count()).toBe(1);
  });

  it('lets a visitor create an ordinary account', async () => {
    await createUser(t, { isAdmin: true });
    const agent = request.agent(t.app);
    const res = await postForm(agent, '/register', '/register', {
      name: 'New',
      email: 'new@example.com',
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(res.status).toBe(303);
    const created = await t.services.users.findByEmail('new@example.com');
    expect(created?.isAdmin).toBe(false);
    await loginAgent(t, 'new@example.com');
  });
});

describe('sessions and CSRF tokens', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ REGISTRATION: 'open' });
  });
  afterEach(() => t.close());

  it('stores no session and sets no cookie for a request that renders no form', async () => {
    await createUser(t, { email: 'someone@example.com' });
    for (const path of ['/no-such-page', '/healthz', '/readyz', '/static/css/app.css']) {
      const res = await request(t.app).get(path);
      expect({ path, cookie: res.headers['set-cookie'] }).toEqual({ path, cookie: undefined });
    }
    expect(await t.sessionCount()).toBe(0);

    const login = await request(t.app).get('/login');
    expect(String(login.headers['set-cookie'])).toMatch(/todobox\.sid=/);
    expect(await t.sessionCount()).toBe(1);
    const [stored] = await t.sessionData();
    expect(stored).toContain(csrfValues(login.text)[0]);
  });

  it('stores no session for the redirects of a fresh install to /setup', async () => {
    for (const path of ['/', '/todos/today', '/account']) {
      const res = await request(t.app).get(path);
      expect({ path, location: res.headers.location, cookie: res.headers['set-cookie'] }).toEqual({ path, location: '/setup', cookie: undefined });
    }
    expect(await t.sessionCount()).toBe(0);
  });

  it('puts the session token in every form of every page', async () => {
    const admin = await createUser(t, { email: 'admin@example.com', isAdmin: true });
    await createUser(t, { email: 'deputy@example.com', isAdmin: true });
    const member = await createUser(t, { email: 'member@example.com' });
    const todo = await t.services.todos.create(admin.id, { title: 'Water the plants', details: '', scheduledFor: today() });
    await t.services.tokens.create(admin.id, 'backup script');

    const visitor = request.agent(t.app);
    const anonymousTokens = [...csrfValues((await visitor.get('/login')).text), ...csrfValues((await visitor.get('/register')).text)];
    expect(anonymousTokens).toHaveLength(2);
    expect(new Set(anonymousTokens).size).toBe(1);

    const agent = await loginAgent(t, 'admin@example.com');
    const pagesWithForms = [
      '/todos/today',
      '/todos/new',
      `/todos/${todo.id}`,
      `/todos/${todo.id}/edit`,
      `/todos/${todo.id}/delete`,
      '/account',
      '/account/delete',
      '/account/tokens',
      '/admin/users',
      '/admin/users/new',
      `/admin/users/${member.id}/delete`,
    ];
    const seen = new Set<string>();
    for (const page of ['/', ...pagesWithForms]) {
      const res = await agent.get(page);
      const values = csrfValues(res.text);
      // Every page has the header's logout form, and the pages listed their own forms besides.
      const expectedAtLeast = page === '/' ? 1 : 2;
      expect({ page, status: res.status, enough: values.length >= expectedAtLeast }).toEqual({ page, status: 200, enough: true });
      for (const value of values) {
        expect({ page, value }).toEqual({ page, value: expect.stringMatching(/^[0-9a-f]{256}$/) });
        seen.add(value);
      }
    }
    expect(seen.size).toBe(1);
    expect(seen.has(anonymousTokens[0])).toBe(false);
  });

  it('puts the token in the setup form of a new installation', async () => {
    const res = await request(t.app).get('/setup');
    expect(csrfValues(res.text)).toEqual([expect.stringMatching(/^[0-9a-f]{256}$/)]);
  });
});

for (const engine of enginesWithOwnDatabase()) {
  describeWithService(engine.service, engine.available, `first administrator and login counts on ${engine.name}`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await engine.open();
    });
    afterAll(() => engine.dispose(db));
    beforeEach(() => removeAllUsers(db));

    it('creates one first administrator when setups race, and refuses the others with 409', async () => {
      const users = createUserService(db);
      const outcomes = await Promise.allSettled(
        [0, 1, 2].map((index) =>
          users.createFirstAdministrator({ name: `Admin ${index}`, email: `admin${index}@example.com`, password: PASSWORD }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ kind: 'conflict' });
      }
      expect(await db.models.User.count({ where: { isAdmin: true } })).toBe(1);
      await expect(
        users.createFirstAdministrator({ name: 'Late', email: 'late@example.com', password: PASSWORD }),
      ).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('counts failures through every spelling that finds an account against that one account', async () => {
      const throttle = createLoginThrottle();
      const users = createUserService(db, throttle);
      const auth = createAuthService(db, throttle);
      const ada = await users.create({ name: 'Ada', email: 'ada@example.com', password: PASSWORD });
      const spellings = ['ada@example.com', 'ADA@Example.com', 'ａｄａ@example.com', 'ádá@example.com', 'adà@example.com'];
      const findingAda: string[] = [];
      for (const spelling of spellings) if ((await users.findByEmail(spelling))?.id === ada.id) findingAda.push(spelling);
      // MariaDB's collation matches accents and fullwidth letters; the other engines only the case.
      expect(findingAda).toEqual(engine.name === 'MariaDB' ? spellings : spellings.slice(0, 2));

      for (let attempt = 0; attempt < 5; attempt++) {
        const spelling = findingAda[attempt % findingAda.length];
        expect(await auth.authenticate(spelling, 'not the password', `192.0.2.${attempt + 1}`)).toEqual({ ok: false, reason: 'invalid' });
      }
      expect(await auth.authenticate('ada@example.com', PASSWORD, '192.0.2.99')).toMatchObject({ ok: false, reason: 'throttled' });
    });
  });
}
