import { createHmac } from 'node:crypto';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { addDays, today } from '../../src/shared/days';
import { createTestApp, createUser, loginAgent, postForm, TestApp } from '../helpers/testApp';
import { TestEngine, testEngine } from '../helpers/testDatabase';

/** A trigger that makes the database refuse any change of a todo's title, in each engine's dialect. */
const REFUSE_RENAMES: Record<TestEngine, string[]> = {
  sqlite: ["CREATE TRIGGER refuse_renames BEFORE UPDATE OF title ON todo BEGIN SELECT RAISE(ABORT, 'renaming refused'); END"],
  mysql: [
    `CREATE TRIGGER refuse_renames BEFORE UPDATE ON todo FOR EACH ROW
     BEGIN IF NEW.title <> OLD.title THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'renaming refused'; END IF; END`,
  ],
  postgres: [
    `CREATE FUNCTION refuse_renames() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'renaming refused'; END $$`,
    'CREATE TRIGGER refuse_renames BEFORE UPDATE OF title ON todo FOR EACH ROW EXECUTE FUNCTION refuse_renames()',
  ],
};
/** Removes that trigger again: the next test of this file may get the same database. */
const ALLOW_RENAMES: Record<TestEngine, string[]> = {
  sqlite: ['DROP TRIGGER refuse_renames'],
  mysql: ['DROP TRIGGER refuse_renames'],
  postgres: ['DROP TRIGGER refuse_renames ON todo', 'DROP FUNCTION refuse_renames()'],
};

type Owner = { id: number; email: string; token: string };

describe('JSON API and personal tokens', () => {
  let t: TestApp;
  let alice: Owner;
  let bob: Owner;

  async function owner(email: string): Promise<Owner> {
    const user = await createUser(t, { email });
    const { token } = await t.services.tokens.create(user.id, 'script');
    return { id: user.id, email, token };
  }

  const api = (who: Owner) => ({
    get: (path: string) => request(t.app).get(`/api${path}`).set('Authorization', `Bearer ${who.token}`),
    post: (path: string, body: object) => request(t.app).post(`/api${path}`).set('Authorization', `Bearer ${who.token}`).send(body),
    patch: (path: string, body: object) => request(t.app).patch(`/api${path}`).set('Authorization', `Bearer ${who.token}`).send(body),
    delete: (path: string) => request(t.app).delete(`/api${path}`).set('Authorization', `Bearer ${who.token}`),
  });

  beforeEach(async () => {
    t = await createTestApp();
    await createUser(t, { email: 'admin@example.com', isAdmin: true });
    alice = await owner('alice@example.com');
    bob = await owner('bob@example.com');
  });
  afterEach(() => t.close());

  describe('token settings page', () => {
    it('creates a token behind CSRF protection, shows it once and stores only its hash', async () => {
      const agent = await loginAgent(t, alice.email);
      const rejected = await agent.post('/account/tokens').type('form').send({ name: 'no csrf' });
      expect(rejected.status).toBe(403);
      expect(await t.db.models.ApiToken.count({ where: { name: 'no csrf' } })).toBe(0);

      const posted = await postForm(agent, '/account/tokens', '/account/tokens', { name: 'backup script' });
      expect([posted.status, posted.headers.location]).toEqual([303, '/account/tokens']);
      expect(posted.text).not.toMatch(/tbx_/);
      const res = await agent.get('/account/tokens');
      expect(res.headers['cache-control']).toContain('no-store');
      const token = /value="(tbx_[A-Za-z0-9_-]{43})"/.exec(res.text)?.[1];
      expect(token).toBeDefined();
      expect(res.text).toContain('cannot be shown again');

      // Reloading the page that showed it neither shows it again nor creates a second token.
      const listed = await agent.get('/account/tokens');
      expect(await t.db.models.ApiToken.count({ where: { name: 'backup script' } })).toBe(1);
      expect(listed.status).toBe(200);
      expect(listed.text).toContain('backup script');
      expect(listed.text).toContain(token!.slice(0, 12));
      expect(listed.text).not.toContain(token!);

      const rows = await t.db.sequelize.query<{ token_hash: string; token_prefix: string }>(
        "SELECT * FROM api_token WHERE name = 'backup script'",
        { type: QueryTypes.SELECT },
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).toBe(createHmac('sha256', t.config.salt).update(token!).digest('hex'));
      expect(rows[0].token_prefix).toBe(token!.slice(0, 12));
      for (const table of ['api_token', 'sessions', 'users']) {
        const dump = JSON.stringify(await t.db.sequelize.query(`SELECT * FROM ${table}`, { type: QueryTypes.SELECT }));
        expect(dump).not.toContain(token!.slice(4));
      }
      for (const data of await t.sessionData()) expect(data).not.toContain(token!.slice(4));
      expect(t.logs.text()).not.toContain(token!.slice(4));

      expect((await request(t.app).get('/api/todos').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    });

    it('shows the error beside the name field and creates nothing for an invalid name', async () => {
      const agent = await loginAgent(t, alice.email);
      const res = await postForm(agent, '/account/tokens', '/account/tokens', { name: '   ' });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Enter a name for the token');
      expect(res.text).toContain('aria-invalid="true"');
      const tooLong = await postForm(agent, '/account/tokens', '/account/tokens', { name: 'x'.repeat(101) });
      expect(tooLong.status).toBe(422);
      expect(tooLong.text).toContain('at most 100 characters');
      expect(await t.services.tokens.list(alice.id)).toHaveLength(1);
    });

    it('needs a login', async () => {
      const res = await request(t.app).get('/account/tokens');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    });

    it('revokes a token, which stops it at once; another user\'s token cannot be revoked', async () => {
      const agent = await loginAgent(t, alice.email);
      const [mine] = await t.services.tokens.list(alice.id);
      const [bobs] = await t.services.tokens.list(bob.id);

      const foreign = await postForm(agent, '/account/tokens', `/account/tokens/${bobs.id}/revoke`, {});
      expect(foreign.status).toBe(404);
      expect((await api(bob).get('/todos')).status).toBe(200);

      expect((await api(alice).get('/todos')).status).toBe(200);
      const res = await postForm(agent, '/account/tokens', `/account/tokens/${mine.id}/revoke`, {});
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/tokens');
      expect((await agent.get('/account/tokens')).text).toContain('The token has been revoked');
      expect((await api(alice).get('/todos')).status).toBe(401);
      expect(await t.services.tokens.list(alice.id)).toHaveLength(0);
    });

    it('records when a token was last used', async () => {
      const [before] = await t.services.tokens.list(alice.id);
      expect(before.lastUsedAt).toBeNull();
      await api(alice).get('/todos');
      const [after] = await t.services.tokens.list(alice.id);
      expect(after.lastUsedAt).toBeInstanceOf(Date);
    });
  });

  describe('authentication', () => {
    it('answers 401 with WWW-Authenticate without a token or with a bad one', async () => {
      const missing = await request(t.app).get('/api/todos');
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(missing.body.error).toMatchObject({ status: 401 });

      const alteredToken = `${alice.token.slice(0, -1)}${alice.token.endsWith('A') ? 'B' : 'A'}`;
      for (const header of ['Bearer tbx_wrong', `Bearer ${alteredToken}`, `Basic ${alice.token}`, 'Bearer ']) {
        const res = await request(t.app).get('/api/todos').set('Authorization', header);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.headers['content-type']).toMatch(/json/);
      }
    });

    it('revokes a blocked user\'s token at once: unblocking gives back the account, not the token', async () => {
      const admin = await t.services.users.findByEmail('admin@example.com');
      expect((await api(alice).get('/todos')).status).toBe(200);
      await t.services.users.setBlocked(admin!.id, alice.id, true);
      expect((await api(alice).get('/todos')).status).toBe(401);
      await t.services.users.setBlocked(admin!.id, alice.id, false);
      expect((await api(alice).get('/todos')).status).toBe(401);
      alice.token = (await t.services.tokens.create(alice.id, 'after unblocking')).token;
      expect((await api(alice).get('/todos')).status).toBe(200);
    });

    it('stops the token of a deleted user', async () => {
      const admin = await t.services.users.findByEmail('admin@example.com');
      await t.services.users.delete(admin!.id, bob.id);
      expect((await api(bob).get('/todos')).status).toBe(401);
    });

    it('needs no CSRF token, while a session cookie alone does not authenticate', async () => {
      const agent = await loginAgent(t, alice.email);
      expect((await agent.get('/account/tokens')).status).toBe(200);
      const read = await agent.get('/api/todos');
      expect(read.status).toBe(401);
      const write = await agent.post('/api/todos').send({ title: 'from a cookie' });
      expect(write.status).toBe(401);
      expect(await t.db.models.Todo.count()).toBe(0);

      const res = await api(alice).post('/todos', { title: 'from a script' });
      expect(res.status).toBe(201);
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('todos', () => {
    it('creates, lists, reads, edits and deletes a todo', async () => {
      const created = await api(alice).post('/todos', { title: 'Write *report*', details: '**soon**' });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/api/todos/${created.body.id}`);
      expect(Object.keys(created.body).sort()).toEqual(
        ['created', 'details', 'detailsHtml', 'id', 'modified', 'scheduledFor', 'status', 'title'].sort(),
      );
      expect(created.body).toMatchObject({ title: 'Write *report*', details: '**soon**', status: 'new', scheduledFor: today() });
      expect(created.body.detailsHtml).toContain('<strong>soon</strong>');

      const listed = await api(alice).get('/todos?list=today');
      expect(listed.status).toBe(200);
      expect(listed.body).toMatchObject({ page: 1, total: 1, totalPages: 1 });
      expect(listed.body.items.map((todo: { id: number }) => todo.id)).toEqual([created.body.id]);

      const read = await api(alice).get(created.headers.location.replace('/api', ''));
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: created.body.id, title: 'Write *report*' });
      expect(read.body.history).toEqual([expect.objectContaining({ fromStatus: null, toStatus: 'new' })]);

      const tomorrow = addDays(today(), 1);
      const edited = await api(alice).patch(`/todos/${created.body.id}`, { title: 'Write the report', scheduledFor: tomorrow });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ title: 'Write the report', details: '**soon**', scheduledFor: tomorrow, status: 'new' });

      const deleted = await api(alice).delete(`/todos/${created.body.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await api(alice).get(`/todos/${created.body.id}`)).status).toBe(404);
    });

    it('schedules a todo for a chosen day and filters by status', async () => {
      const later = addDays(today(), 10);
      const res = await api(alice).post('/todos', { title: 'Later', scheduledFor: later });
      expect(res.body.scheduledFor).toBe(later);
      await api(alice).post('/todos', { title: 'Now' });
      const upcoming = await api(alice).get('/todos?list=upcoming');
      expect(upcoming.body.items.map((todo: { title: string }) => todo.title)).toEqual(['Later']);
      await api(alice).patch(`/todos/${res.body.id}`, { status: 'kiv' });
      const kiv = await api(alice).get('/todos?status=kiv');
      expect(kiv.body.items.map((todo: { title: string }) => todo.title)).toEqual(['Later']);
    });

    it('lists done todos most recently changed first, even when changed within the same second', async () => {
      const { body: first } = await api(alice).post('/todos', { title: 'First' });
      const { body: second } = await api(alice).post('/todos', { title: 'Second' });
      await api(alice).patch(`/todos/${second.id}`, { status: 'done' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await api(alice).patch(`/todos/${first.id}`, { status: 'done' });
      const done = await api(alice).get('/todos?list=done');
      expect(done.body.items.map((todo: { title: string }) => todo.title)).toEqual(['First', 'Second']);
    });

    it('changes the status, re-assigns to another day and records both in the history', async () => {
      const { body: todo } = await api(alice).post('/todos', { title: 'Call the bank' });
      const done = await api(alice).patch(`/todos/${todo.id}`, { status: 'done' });
      expect(done.status).toBe(200);
      expect(done.body.status).toBe('done');

      const newDay = addDays(today(), 3);
      const moved = await api(alice).patch(`/todos/${todo.id}`, { status: 'reassign', scheduledFor: newDay, title: 'Call the bank again' });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ status: 'reassign', scheduledFor: newDay, title: 'Call the bank again' });

      const { body } = await api(alice).get(`/todos/${todo.id}`);
      expect(body.history).toEqual([
        expect.objectContaining({ fromStatus: null, toStatus: 'new' }),
        expect.objectContaining({ fromStatus: 'new', toStatus: 'done' }),
        expect.objectContaining({ fromStatus: 'done', toStatus: 'reassign', fromDate: today(), toDate: newDay }),
      ]);

      const sameDay = await api(alice).patch(`/todos/${todo.id}`, { status: 'reassign', scheduledFor: newDay, title: 'Renamed' });
      expect(sameDay.status).toBe(422);
      expect(Object.keys(sameDay.body.error.fields)).toEqual(['scheduledFor']);
      expect((await api(alice).get(`/todos/${todo.id}`)).body.title).toBe('Call the bank again');
    });

    it('paginates and searches', async () => {
      for (let index = 1; index <= 7; index++) {
        await api(alice).post('/todos', { title: `Task ${index}`, details: index % 2 ? 'odd one' : 'even one' });
      }
      await api(bob).post('/todos', { title: 'Bob task' });
      const lastPage = await api(alice).get('/todos?pageSize=3&page=3');
      expect(lastPage.status).toBe(200);
      expect(lastPage.body).toMatchObject({ page: 3, pageSize: 3, total: 7, totalPages: 3 });
      expect(lastPage.body.items).toHaveLength(1);

      const pages = await Promise.all([1, 2, 3].map((page) => api(alice).get(`/todos?pageSize=3&page=${page}`)));
      const ids = pages.flatMap((res) => res.body.items.map((todo: { id: number }) => todo.id));
      expect(new Set(ids).size).toBe(7);

      const search = await api(alice).get('/todos?q=EVEN');
      expect(search.body.total).toBe(3);
      expect((await api(alice).get('/todos?pageSize=100')).body.items).toHaveLength(7);
    });

    it('answers 404 for another user\'s todo and leaves it unchanged', async () => {
      const { body: todo } = await api(bob).post('/todos', { title: 'Bob only' });
      expect((await api(alice).get(`/todos/${todo.id}`)).status).toBe(404);
      const patched = await api(alice).patch(`/todos/${todo.id}`, { title: 'Hijacked', status: 'done' });
      expect(patched.status).toBe(404);
      expect(patched.body.error).toMatchObject({ status: 404 });
      expect((await api(alice).delete(`/todos/${todo.id}`)).status).toBe(404);
      const { body } = await api(bob).get(`/todos/${todo.id}`);
      expect(body).toMatchObject({ title: 'Bob only', status: 'new' });
      expect(body.history).toHaveLength(1);
      expect((await api(alice).get('/todos')).body.total).toBe(0);
    });

    it('answers 404 JSON for ids that cannot exist and for unknown API paths', async () => {
      for (const path of ['/todos/abc', '/todos/0', '/todos/99999999999999999999', '/todos/999999']) {
        const res = await api(alice).get(path);
        expect(res.status).toBe(404);
        expect(res.body.error).toMatchObject({ status: 404 });
      }
      for (const path of ['/api/nothing', '/api', '/api/todos/1/extra']) {
        const res = await request(t.app).get(path);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/json/);
      }
      const put = await request(t.app).put('/api/todos/1').set('Authorization', `Bearer ${alice.token}`).send({});
      expect([put.status, put.headers.allow]).toEqual([405, 'GET, HEAD, PATCH, DELETE']);
    });
  });

  describe('bad input', () => {
    it('names each rejected field with 422', async () => {
      const cases: Array<[string, () => request.Test, string[]]> = [
        ['empty title', () => api(alice).post('/todos', { title: ' ' }), ['title']],
        ['missing title', () => api(alice).post('/todos', { details: 'x' }), ['title']],
        ['long title, bad date', () => api(alice).post('/todos', { title: 'x'.repeat(256), scheduledFor: '2026-02-30' }), ['title', 'scheduledFor']],
        ['long details', () => api(alice).post('/todos', { title: 'x', details: 'x'.repeat(10_001) }), ['details']],
        ['wrong types', () => api(alice).post('/todos', { title: 42, details: ['a'] }), ['title', 'details']],
        ['page size', () => api(alice).get('/todos?pageSize=101'), ['pageSize']],
        ['page', () => api(alice).get('/todos?page=0'), ['page']],
        ['page text', () => api(alice).get('/todos?page=two'), ['page']],
        ['list', () => api(alice).get('/todos?list=someday'), ['list']],
        ['status filter', () => api(alice).get('/todos?status=maybe'), ['status']],
        ['repeated search', () => api(alice).get('/todos?q=a&q=b'), ['q']],
      ];
      for (const [label, send, fields] of cases) {
        const res = await send();
        expect({ label, status: res.status }).toEqual({ label, status: 422 });
        expect({ label, fields: Object.keys(res.body.error.fields).sort() }).toEqual({ label, fields: [...fields].sort() });
      }
      expect(await t.db.models.Todo.count()).toBe(0);
    });

    it('rejects bad updates by field and changes nothing', async () => {
      const { body: todo } = await api(alice).post('/todos', { title: 'Keep me' });
      const cases: Array<[object, string]> = [
        [{}, 'body'],
        [{ status: 'reassign' }, 'scheduledFor'],
        [{ status: 'finished' }, 'status'],
        [{ title: '' }, 'title'],
        [{ scheduledFor: 'tomorrow' }, 'scheduledFor'],
      ];
      for (const [body, field] of cases) {
        const res = await api(alice).patch(`/todos/${todo.id}`, body);
        expect({ body, status: res.status }).toEqual({ body, status: 422 });
        expect(res.body.error.fields).toHaveProperty(field);
      }
      const { body } = await api(alice).get(`/todos/${todo.id}`);
      expect(body).toMatchObject({ title: 'Keep me', status: 'new', scheduledFor: today() });
    });

    it('applies no part of a PATCH when any field is rejected, the status included', async () => {
      const { body: todo } = await api(alice).post('/todos', { title: 'Keep me', details: 'as is' });
      const newDay = addDays(today(), 2);
      const cases: Array<[object, string]> = [
        [{ status: 'done', title: '' }, 'title'],
        [{ status: 'kiv', details: 'x'.repeat(10_001) }, 'details'],
        [{ status: 'reassign', scheduledFor: newDay, title: 'x'.repeat(256) }, 'title'],
        [{ status: 'failed', scheduledFor: '2026-02-30' }, 'scheduledFor'],
      ];
      for (const [body, field] of cases) {
        const res = await api(alice).patch(`/todos/${todo.id}`, body);
        expect({ body, status: res.status }).toEqual({ body, status: 422 });
        expect(Object.keys(res.body.error.fields)).toEqual([field]);
      }
      const { body } = await api(alice).get(`/todos/${todo.id}`);
      expect(body).toMatchObject({ title: 'Keep me', details: 'as is', status: 'new', scheduledFor: today() });
      expect(body.history).toHaveLength(1);
    });

    it('deletes a todo once when several requests delete it at the same time', async () => {
      const { body: todo } = await api(alice).post('/todos', { title: 'Once' });
      const statuses = await Promise.all(Array.from({ length: 8 }, () => api(alice).delete(`/todos/${todo.id}`).then((res) => res.status)));
      expect(statuses.filter((status) => status === 204)).toHaveLength(1);
      expect(statuses.filter((status) => status === 404)).toHaveLength(7);
    });

    it('rolls a PATCH back whole when the database refuses part of it', async () => {
      const { body: todo } = await api(alice).post('/todos', { title: 'Keep me' });
      for (const statement of REFUSE_RENAMES[testEngine()]) await t.db.sequelize.query(statement);
      try {
        const res = await api(alice).patch(`/todos/${todo.id}`, { status: 'done', title: 'Renamed' });
        expect(res.status).toBe(500);
      } finally {
        for (const statement of ALLOW_RENAMES[testEngine()]) await t.db.sequelize.query(statement);
      }
      const { body } = await api(alice).get(`/todos/${todo.id}`);
      expect(body).toMatchObject({ title: 'Keep me', status: 'new' });
      expect(body.history).toHaveLength(1);
    });

    it('answers malformed, non-JSON, non-object and oversized bodies with JSON errors, never 500', async () => {
      const auth = { Authorization: `Bearer ${alice.token}` };
      const malformed = await request(t.app).post('/api/todos').set(auth).set('Content-Type', 'application/json').send('{"title": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatchObject({ status: 400 });

      const form = await request(t.app).post('/api/todos').set(auth).type('form').send({ title: 'form post' });
      expect(form.status).toBe(415);
      expect(form.body.error).toMatchObject({ status: 415 });
      const text = await request(t.app).patch('/api/todos/1').set(auth).set('Content-Type', 'text/plain').send('title=x');
      expect(text.status).toBe(415);

      const array = await request(t.app).post('/api/todos').set(auth).send([{ title: 'in an array' }]);
      expect(array.status).toBe(400);
      expect(array.body.error.message).toContain('JSON object');

      const huge = await request(t.app).post('/api/todos').set(auth).send({ title: 'big', details: 'x'.repeat(270_000) });
      expect(huge.status).toBe(413);
      expect(huge.body.error).toMatchObject({ status: 413 });
      expect(await t.db.models.Todo.count()).toBe(0);
    });
  });
});
