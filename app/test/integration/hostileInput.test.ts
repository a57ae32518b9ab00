import net from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, PASSWORD, TestApp } from '../helpers/testApp';

/** Requests a fuzz run found answered with 500, each reachable without an account; each must get a 4xx and change nothing. */
describe('hostile input', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
    await createUser(t, { email: 'owner@example.com', isAdmin: true });
  });
  afterEach(() => t.close());

  function loggedErrors(): string[] {
    return t.logs.entries.filter((entry) => entry.level === 'error').map((entry) => String(entry.message));
  }

  it('answers a body whose Content-Encoding does not match it with 400, and an unknown encoding with 415', async () => {
    const agent = request.agent(t.app);
    const token = await csrfTokenFrom(agent, '/login');
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const form = await agent.post('/login').set('X-CSRF-Token', token).type('form').set('Content-Encoding', encoding).send(`email=owner%40example.com&password=${PASSWORD}`);
      expect({ encoding, status: form.status }).toEqual({ encoding, status: 400 });
      expect(form.text).toContain('The request body is not compressed as its Content-Encoding says');
      const api = await request(t.app).post('/api/todos').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send('{"title":"x"}');
      expect({ encoding, status: api.status }).toEqual({ encoding, status: 400 });
      expect(api.body.error.message).toBe('The request body is not compressed as its Content-Encoding says');
    }
    const unknown = await agent.post('/login').set('X-CSRF-Token', token).type('form').set('Content-Encoding', 'zstd-ish').send('email=a&password=b');
    expect(unknown.status).toBe(415);
    const compressed = await agent
      .post('/login')
      .set('X-CSRF-Token', token)
      .type('form')
      .set('Content-Encoding', 'gzip')
      // As sent: superagent would otherwise encode a Buffer as form fields.
      .serialize((body: unknown) => body as string)
      .send(zlib.gzipSync(`email=owner%40example.com&password=${encodeURIComponent(PASSWORD)}`));
    expect(compressed.status).toBe(303);
    expect(loggedErrors()).toEqual([]);
  });

  it('names what is wrong with a body it cannot read, and changes nothing', async () => {
    const agent = await loginAgent(t, 'owner@example.com');
    const token = await csrfTokenFrom(agent, '/todos/new');
    for (const title of ['%ZZ', '%E0%A4', 'ok%']) {
      const sent = await agent.post('/todos').set('X-CSRF-Token', token).type('form').send(`title=${title}&when=today`);
      expect({ title, status: sent.status, named: sent.text.includes('The form holds a malformed percent-encoding') }).toEqual({ title, status: 400, named: true });
    }
    const fields = Array.from({ length: 101 }, (_, index) => `f${index}=x`).join('&');
    const crowded = await agent.post('/todos').set('X-CSRF-Token', token).type('form').send(`title=crowded&${fields}`);
    expect([crowded.status, crowded.text.includes('The form has too many fields')]).toEqual([413, true]);
    const user = (await t.services.users.findByEmail('owner@example.com'))!;
    const { token: apiToken } = await t.services.tokens.create(user.id, 'hostile');
    for (const body of ['{"title":', 'null', '"just text"']) {
      const api = await request(t.app).post('/api/todos').set('Authorization', `Bearer ${apiToken}`).set('Content-Type', 'application/json').send(body);
      expect({ body, status: api.status, message: api.body.error?.message }).toEqual({ body, status: 400, message: 'The request body is not valid JSON (an object or an array)' });
    }
    expect(await t.db.models.Todo.count()).toBe(0);
    const typed = await agent.post('/todos').set('X-CSRF-Token', token).type('form').send('title=100%25+done&when=today');
    expect(typed.status).toBe(303);
    expect((await t.db.models.Todo.findOne())!.title).toBe('100% done');
    expect(loggedErrors()).toEqual([]);
  });

  it('answers a method an address does not take with 405 and the methods it does, before any CSRF check', async () => {
    for (const [method, path] of [['put', '/login'], ['delete', '/todos/1'], ['patch', '/account'], ['propfind', '/']] as const) {
      const res = await request(t.app)[method](path);
      expect({ method, path, status: res.status, allow: res.headers.allow }).toEqual({ method, path, status: 405, allow: 'GET, HEAD, POST' });
      expect(res.text).toContain('This address takes GET, HEAD, POST only');
    }
    const user = (await t.services.users.findByEmail('owner@example.com'))!;
    const { token } = await t.services.tokens.create(user.id, 'methods');
    const api = (method: 'put' | 'options', path: string) => request(t.app)[method](path).set('Authorization', `Bearer ${token}`);
    const put = await api('put', '/api/todos/1');
    expect([put.status, put.headers.allow, put.body.error.message]).toEqual([405, 'GET, HEAD, PATCH, DELETE', 'This address takes GET, HEAD, PATCH, DELETE only']);
    expect([(await api('put', '/api/todos')).status, (await api('put', '/api/todos')).headers.allow]).toEqual([405, 'GET, HEAD, POST']);
    expect((await api('put', '/api/nothing-here')).status).toBe(404);
    expect(loggedErrors()).toEqual([]);
  });

  it('refuses form fields that are objects, even ones whose toString cannot be called, on every form', async () => {
    const hostile = { toString: 'x' };
    const visitor = request.agent(t.app);
    const loginToken = await csrfTokenFrom(visitor, '/login');
    const login = await visitor.post('/login').set('X-CSRF-Token', loginToken).send({ email: hostile, password: 'y' });
    expect(login.status).toBe(422);

    const agent = await loginAgent(t, 'owner@example.com');
    const token = await csrfTokenFrom(agent, '/todos/new');
    const { id } = await t.services.todos.create((await t.services.users.findByEmail('owner@example.com'))!.id, { title: 'Keep' });
    const forms: Array<[string, object]> = [
      ['/todos', { title: hostile }],
      [`/todos/${id}`, { title: hostile, details: hostile }],
      [`/todos/${id}/status`, { status: 'reassign', toDate: hostile }],
      ['/account/profile', { name: hostile, email: 'owner@example.com' }],
      ['/account/password', { currentPassword: hostile, newPassword: hostile, confirmPassword: hostile }],
      ['/account/tokens', { name: hostile }],
      ['/admin/users', { name: hostile, email: hostile, password: hostile, confirm: hostile }],
    ];
    for (const [path, body] of forms) {
      const res = await agent.post(path).set('X-CSRF-Token', token).send(body);
      expect({ path, status: res.status }).toEqual({ path, status: 422 });
      expect(res.text).not.toMatch(/TypeError|at \S+ \(/);
    }
    expect(await t.services.todos.get((await t.services.users.findByEmail('owner@example.com'))!.id, id)).toMatchObject({ title: 'Keep', status: 'new' });
    expect(await t.services.users.count()).toBe(1);
    expect(loggedErrors()).toEqual([]);
  });

  it('answers a request whose target is not a path (GET * HTTP/1.1) with 400', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      for (const target of ['*', 'todos']) {
        const statusLine = await new Promise<string>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
          let answer = '';
          socket.on('data', (chunk) => (answer += chunk));
          socket.on('end', () => resolve(answer.split('\r\n')[0]));
          socket.on('error', reject);
        });
        expect({ target, statusLine }).toEqual({ target, statusLine: 'HTTP/1.1 400 Bad Request' });
      }
    } finally {
      server.close();
    }
    expect(loggedErrors()).toEqual([]);
  });
});
