import fc from 'fast-check';
import request from 'supertest';
import { TODO_LISTS } from '../../src/todos/types';
import { testEngine } from '../helpers/testDatabase';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, TestApp } from '../helpers/testApp';

/**
 * Requests made of every route's pieces, some well formed and most hostile, from a visitor, a
 * logged-in administrator (with the session's CSRF token, so forms reach their handlers) and a
 * script with an API token. None may get a 5xx, a stack trace, or write an error to the log.
 */
const CASES = testEngine() === 'sqlite' ? 1500 : 500;

const ROUTES = [
  '/', '/login', '/logout', '/setup', '/register', '/todos', '/todos/new', ...TODO_LISTS.map((list) => `/todos/${list}`),
  '/todos/:id', '/todos/:id/edit', '/todos/:id/status', '/todos/:id/delete', '/account', '/account/profile', '/account/password',
  '/account/delete', '/account/tokens', '/account/tokens/:id/revoke', '/admin/users', '/admin/users/new', '/admin/users/:id/block',
  '/admin/users/:id/unblock', '/admin/users/:id/grant-admin', '/admin/users/:id/revoke-admin', '/admin/users/:id/password',
  '/admin/users/:id/delete', '/api/todos', '/api/todos/:id', '/healthz', '/readyz', '/metrics', '/static/css/app.css', '/no/such/page',
];

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '%', '%ZZ', '%E0%A4%A', '%00', '<script>alert(1)</script>', "' OR 1=1 --", '../../etc/passwd',
    'x'.repeat(300), '-1', '0', '1e3', '99999999999999999999', 'NaN', 'true', '[]', '{}', 'today', 'tomorrow', 'done', 'reassign', '2026-02-30'),
);

const idSegment = fc.oneof(fc.constantFrom('1', '2', '3'), fc.nat({ max: 5 }).map(String), hostileText.map(encodeURIComponent), fc.constantFrom('%ZZ', '%E0%A4%A', '%C0%AF', '..', '%2F'));

const path = fc.tuple(fc.constantFrom(...ROUTES), idSegment).map(([route, id]) => route.replace(':id', id));

const query = fc.option(fc.dictionary(fc.constantFrom('q', 'page', 'list', 'day', 'status', 'returnTo', 'v', 'x'), hostileText, { maxKeys: 3 }), { nil: undefined });

const formFields = fc.dictionary(
  fc.constantFrom('title', 'details', 'status', 'day', 'scheduledFor', 'toDate', 'email', 'name', 'password', 'confirm', 'currentPassword',
    'newPassword', 'confirmPassword', 'remember', 'isAdmin', 'setupToken', '_csrf', 'other'),
  hostileText,
  { maxKeys: 6 },
);

const jsonBody = fc.oneof(
  formFields,
  fc.dictionary(fc.constantFrom('title', 'details', 'status', 'scheduledFor', 'email', 'name', 'password', 'toString', '__proto__'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const body = fc.oneof(
  fc.record({ type: fc.constant('form' as const), fields: formFields }),
  fc.record({ type: fc.constant('json' as const), value: jsonBody }),
  fc.record({ type: fc.constant('raw' as const), text: hostileText, contentType: fc.constantFrom('text/plain', 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml') }),
);

const hostileRequest = fc.record({
  method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'),
  path,
  query,
  body: fc.option(body, { nil: undefined }),
  as: fc.constantFrom('visitor', 'administrator', 'script'),
  encoding: fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'zstd'), { nil: undefined, freq: 8 }),
  header: fc.option(fc.tuple(fc.constantFrom('Accept', 'X-Request-Id', 'X-Forwarded-For', 'Cookie', 'Authorization', 'If-None-Match'), hostileText.map((text) => text.replace(/[^\t\x20-\x7e]/g, '?'))), { nil: undefined }),
});

type HostileRequest = typeof hostileRequest extends fc.Arbitrary<infer T> ? T : never;

const STACK_TRACE = /\bat \S+ \(?\/?[^)\s]*\.[jt]s:\d+/;

describe('a fuzz run over every route', () => {
  let t: TestApp;
  let apiToken: string;
  let session: { agent: request.Agent; csrf: string } | undefined;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createUser(t, { email: 'fuzz-admin@example.com', isAdmin: true });
    const other = await createUser(t, { email: 'fuzz-other@example.com' });
    for (const owner of [admin, other]) await t.services.todos.create(owner.id, { title: 'A todo', details: '*some* Markdown' });
    apiToken = (await t.services.tokens.create(admin.id, 'fuzz')).token;
  });
  afterAll(() => t.close());

  /** The administrator's session, logged in again when a request ended it (a logout, a changed password). */
  async function administrator(): Promise<{ agent: request.Agent; csrf: string }> {
    if (session && (await session.agent.get('/account')).status === 200) return session;
    const agent = await loginAgent(t, 'fuzz-admin@example.com');
    session = { agent, csrf: await csrfTokenFrom(agent, '/todos/new') };
    return session;
  }

  async function send(hostile: HostileRequest): Promise<request.Response> {
    const client = hostile.as === 'administrator' ? (await administrator()).agent : request(t.app);
    const url = hostile.query ? `${hostile.path}?${new URLSearchParams(hostile.query).toString()}` : hostile.path;
    let req = (client as unknown as Record<string, (url: string) => request.Test>)[hostile.method.toLowerCase()](url);
    if (hostile.as === 'administrator') req = req.set('X-CSRF-Token', session!.csrf);
    if (hostile.as === 'script') req = req.set('Authorization', `Bearer ${apiToken}`);
    // A logged-in agent merges its own cookies with a Cookie header through cookiejar, which throws on
    // an empty pair (";") before anything is sent: hostile Cookie headers come from visitors and scripts.
    if (hostile.header && !(hostile.header[0] === 'Cookie' && hostile.as === 'administrator')) req = req.set(hostile.header[0], hostile.header[1]);
    if (hostile.encoding) req = req.set('Content-Encoding', hostile.encoding);
    const sent = hostile.body;
    if (!sent || hostile.method === 'GET' || hostile.method === 'HEAD') return req;
    if (sent.type === 'form') return req.type('form').send(new URLSearchParams(sent.fields).toString());
    if (sent.type === 'json') return req.set('Content-Type', 'application/json').send(JSON.stringify(sent.value));
    return req.set('Content-Type', sent.contentType).send(sent.text);
  }

  it(`answers ${CASES} hostile requests without a 5xx, a stack trace or an error in the log`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (hostile) => {
        const res = await send(hostile);
        if (res.status >= 500 || STACK_TRACE.test(res.text ?? '')) {
          throw new Error(`${res.status} for ${JSON.stringify(hostile)}:\n${String(res.text).slice(0, 800)}`);
        }
        const errors = t.logs.entries.filter((entry) => entry.level === 'error');
        if (errors.length) throw new Error(`logged an error for ${JSON.stringify(hostile)}: ${JSON.stringify(errors[0]).slice(0, 800)}`);
        const traced = t.logs.entries.find((entry) => STACK_TRACE.test(JSON.stringify(entry)));
        if (traced) throw new Error(`logged a stack trace for ${JSON.stringify(hostile)}: ${JSON.stringify(traced).slice(0, 800)}`);
        t.logs.entries = [];
      }),
      { numRuns: CASES, endOnFailure: true },
    );
  }, 600_000);
});
