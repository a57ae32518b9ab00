import request from 'supertest';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, PASSWORD, postForm, TestApp } from '../helpers/testApp';

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

  it('keeps sessions in the database, not in memory', async () => {
    await createUser(t, { email: 'stored@example.com' });
    await loginAgent(t, 'stored@example.com');
    const rows = await t.db.models.Session.findAll();
    const loggedIn = rows.filter((row) => String(row.get('data')).includes('"passport"'));
    expect(loggedIn).toHaveLength(1);
    expect(String(loggedIn[0].get('data'))).not.toContain(PASSWORD);
  });

  it('never redirects after login to another site', async () => {
    await createUser(t, { email: 'eve@example.com' });
    for (const next of ['//evil.example', 'https://evil.example/', '/\\evil.example']) {
      const agent = request.agent(t.app);
      const token = await csrfTokenFrom(agent, '/login');
      const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'eve@example.com', password: PASSWORD, next });
      expect(res.headers.location).toBe('/');
    }
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
