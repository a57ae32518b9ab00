import request from 'supertest';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, postForm, TestApp } from '../helpers/testApp';
import { addDays, today, tomorrow } from '../../src/shared/days';

async function createTodoViaForm(agent: request.Agent, fields: Record<string, string>) {
  return postForm(agent, '/todos/new', '/todos', { when: 'today', details: '', ...fields });
}

function todoIdFrom(location: string | undefined): number {
  const match = /^\/todos\/(\d+)$/.exec(location ?? '');
  if (!match) throw new Error(`Not a todo location: ${location}`);
  return Number(match[1]);
}

describe('todos in the browser', () => {
  let t: TestApp;
  let agent: request.Agent;
  let userId: number;

  beforeEach(async () => {
    t = await createTestApp();
    const user = await createUser(t, { email: 'owner@example.com' });
    userId = user.id;
    agent = await loginAgent(t, 'owner@example.com');
  });
  afterEach(() => t.close());

  it('asks visitors to log in before any todo page', async () => {
    for (const page of ['/', '/todos/today', '/todos/new', '/todos/1', '/todos/1/edit', '/todos/1/delete']) {
      const res = await request(t.app).get(page);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    }
  });

  it('answers a malformed address or a NUL character with 400 and saves nothing', async () => {
    for (const path of ['/todos/%ZZ', '/todos/%E0%A4%A', '/todos/%ZZ/edit', '/todos/%ZZ/delete']) {
      const page = await agent.get(path);
      expect({ path, status: page.status }).toEqual({ path, status: 400 });
      expect(page.text).toContain('malformed percent-encoding');
      expect(page.text).not.toContain('URIError');
    }
    const search = await agent.get('/todos/today?q=a%00b');
    expect(search.status).toBe(400);
    expect(search.text).toContain('NUL character');
    const created = await createTodoViaForm(agent, { title: 'nul\u0000byte' });
    expect(created.status).toBe(400);
    expect(await t.db.models.Todo.count()).toBe(0);
  });

  it('takes the longest details the form allows, in any script', async () => {
    const details = '漢'.repeat(10_000);
    const res = await createTodoViaForm(agent, { title: 'Long', details });
    expect(res.status).toBe(303);
    const saved = await t.db.models.Todo.findByPk(todoIdFrom(res.headers.location));
    expect(saved?.get('details')).toBe(details);
  });

  it('creates a todo with Markdown, shows it rendered and sanitized, and records its creation', async () => {
    const form = await agent.get('/todos/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="title"');
    const res = await createTodoViaForm(agent, {
      title: '  Write the report  ',
      details: '# Plan\n\n- **bold** item\n\n[site](https://example.com) <script>alert(1)</script>',
    });
    expect(res.status).toBe(303);
    const id = todoIdFrom(res.headers.location);
    const stored = await t.db.models.Todo.findByPk(id);
    expect(stored).toMatchObject({ title: 'Write the report', status: 'new', scheduledFor: today(), userId });
    expect(stored?.detailsHtml).toContain('<h1>Plan</h1>');
    expect(stored?.detailsHtml).toContain('<strong>bold</strong>');
    expect(stored?.detailsHtml).toContain('rel="nofollow noopener noreferrer"');
    expect(stored?.detailsHtml).not.toMatch(/<script/i);

    const page = await agent.get(`/todos/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Todo &quot;Write the report&quot; created.');
    expect(page.text).toContain('<h1>Plan</h1>');
    expect(page.text).toContain('<a href="https://example.com" rel="nofollow noopener noreferrer">site</a>');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('Created as');
    expect(await t.db.models.TodoHistory.count({ where: { todoId: id } })).toBe(1);
  });

  it('schedules for tomorrow or a chosen date', async () => {
    const first = await createTodoViaForm(agent, { title: 'Tomorrow thing', when: 'tomorrow' });
    const second = await createTodoViaForm(agent, { title: 'Dated thing', when: 'date', date: '2031-05-17' });
    expect((await t.db.models.Todo.findByPk(todoIdFrom(first.headers.location)))?.scheduledFor).toBe(tomorrow());
    expect((await t.db.models.Todo.findByPk(todoIdFrom(second.headers.location)))?.scheduledFor).toBe('2031-05-17');
  });

  it.each([
    ['an empty title', { title: '   ' }, 'title', 'Enter a title'],
    ['a 256-character title', { title: 'x'.repeat(256) }, 'title', 'at most 255 characters'],
    ['10,001 characters of details', { title: 'ok', details: 'd'.repeat(10_001) }, 'details', 'at most 10,000 characters'],
    ['an impossible date', { title: 'ok', when: 'date', date: '2026-02-30' }, 'date', 'Enter a valid date'],
    ['a malformed date', { title: 'ok', when: 'date', date: 'next week' }, 'date', 'Enter a valid date'],
    ['an unknown choice of day', { title: 'ok', when: 'someday' }, 'when', 'Choose when the todo is for'],
  ])('rejects %s with 422, the message beside the field and the values kept', async (_name, fields, field, message) => {
    const res = await createTodoViaForm(agent, fields);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`id="${field}-error"`);
    expect(res.text).toContain(message);
    expect(res.text).toContain('aria-invalid="true"');
    if (fields.title.trim()) expect(res.text).toContain(`value="${fields.title}"`);
    expect(await t.db.models.Todo.count()).toBe(0);
  });

  it('edits a todo and keeps the edit form values on a validation error', async () => {
    const { id } = await t.services.todos.create(userId, { title: 'Old', details: 'old *text*', scheduledFor: today() });
    const form = await agent.get(`/todos/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Old"');
    expect(form.text).toContain('old *text*');

    const bad = await postForm(agent, `/todos/${id}/edit`, `/todos/${id}`, { title: '', details: 'kept', when: 'today' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a title');
    expect(bad.text).toContain('kept');
    expect((await t.services.todos.get(userId, id)).title).toBe('Old');

    const good = await postForm(agent, `/todos/${id}/edit`, `/todos/${id}`, {
      title: 'New',
      details: 'new **text**',
      when: 'date',
      date: '2030-01-02',
    });
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe(`/todos/${id}`);
    const saved = await t.services.todos.get(userId, id);
    expect(saved).toMatchObject({ title: 'New', details: 'new **text**', scheduledFor: '2030-01-02' });
    expect(saved.detailsHtml).toBe('<p>new <strong>text</strong></p>');
  });

  it('changes status with the quick buttons and re-assigns to a day, recording every change', async () => {
    const { id } = await t.services.todos.create(userId, { title: 'Moving', details: '', scheduledFor: today() });
    const page = await agent.get(`/todos/${id}`);
    expect(page.text).toContain('value="done"');
    expect(page.text).toContain('value="kiv"');
    expect(page.text).toContain('type="date"');

    expect((await postForm(agent, `/todos/${id}`, `/todos/${id}/status`, { status: 'done' })).status).toBe(303);
    expect((await postForm(agent, `/todos/${id}`, `/todos/${id}/status`, { status: 'kiv' })).status).toBe(303);
    const target = addDays(today(), 3);
    const moved = await postForm(agent, `/todos/${id}`, `/todos/${id}/status`, { status: 'reassign', toDate: target });
    expect(moved.status).toBe(303);
    expect(moved.headers.location).toBe(`/todos/${id}`);

    const todo = await t.services.todos.get(userId, id);
    expect(todo).toMatchObject({ status: 'reassign', scheduledFor: target });
    const history = await t.services.todos.history(userId, id);
    expect(history.map((entry) => [entry.fromStatus, entry.toStatus])).toEqual([
      [null, 'new'],
      ['new', 'done'],
      ['done', 'kiv'],
      ['kiv', 'reassign'],
    ]);
    expect(history[3]).toMatchObject({ fromDate: today(), toDate: target });
    const shown = await agent.get(`/todos/${id}`);
    expect(shown.text).toContain('class="history-item"');
    expect(shown.text.match(/class="history-item"/g)).toHaveLength(4);
  });

  it('refuses a re-assignment without a valid, different day and changes nothing', async () => {
    const { id } = await t.services.todos.create(userId, { title: 'Stay', details: '', scheduledFor: today() });
    for (const toDate of ['', '2026-13-01', today()]) {
      const res = await postForm(agent, `/todos/${id}`, `/todos/${id}/status`, { status: 'reassign', toDate });
      expect(res.status).toBe(422);
      expect(res.text).toContain('id="toDate-error"');
    }
    const bogus = await postForm(agent, `/todos/${id}`, `/todos/${id}/status`, { status: 'finished' });
    expect(bogus.status).toBe(422);
    expect(bogus.text).toContain('Choose a valid status');
    expect(await t.services.todos.get(userId, id)).toMatchObject({ status: 'new', scheduledFor: today() });
    expect(await t.services.todos.history(userId, id)).toHaveLength(1);
  });

  it('refuses a status change, an edit or a new todo that names nothing, and changes nothing', async () => {
    const { id } = await t.services.todos.create(userId, { title: 'Stay', details: 'as is', scheduledFor: today() });
    const noStatus = await postForm(agent, `/todos/${id}`, `/todos/${id}/status`, {});
    expect(noStatus.status).toBe(422);
    expect(noStatus.text).toContain('Choose a status');
    const emptyEdit = await postForm(agent, `/todos/${id}/edit`, `/todos/${id}`, {});
    expect(emptyEdit.status).toBe(422);
    expect(emptyEdit.text).toMatch(/id="title-error">Enter a title</);
    const token = await csrfTokenFrom(agent, `/todos/${id}/edit`);
    for (const [path, body] of [[`/todos/${id}`, []], [`/todos/${id}/status`, ['done']], ['/todos', ['title']]] as const) {
      const res = await agent.post(path).set('X-CSRF-Token', token).send(body as unknown as object);
      expect({ path, status: res.status }).toEqual({ path, status: 422 });
      expect(res.text).toMatch(/role="alert">The form could not be read\. Reload the page and try again\.</);
    }
    expect(await t.services.todos.get(userId, id)).toMatchObject({ title: 'Stay', details: 'as is', status: 'new', scheduledFor: today() });
    expect(await t.services.todos.history(userId, id)).toHaveLength(1);
    expect(await t.db.models.Todo.count()).toBe(1);
  });

  it('returns to the list a quick status button was pressed on, and only to a path on this site', async () => {
    const { id } = await t.services.todos.create(userId, { title: 'Quick', details: '', scheduledFor: today() });
    const list = await agent.get('/todos/today');
    expect(list.text).toContain('name="back" value="/todos/today"');
    const res = await postForm(agent, '/todos/today', `/todos/${id}/status`, { status: 'done', back: '/todos/today' });
    expect(res.headers.location).toBe('/todos/today');
    const evil = await postForm(agent, '/todos/today', `/todos/${id}/status`, { status: 'failed', back: '//evil.example/' });
    expect(evil.headers.location).toBe('/');
  });

  it('deletes a todo after a confirmation page, with its history', async () => {
    const { id } = await t.services.todos.create(userId, { title: 'Doomed', details: '', scheduledFor: today() });
    const confirm = await agent.get(`/todos/${id}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Delete this todo?');
    expect(confirm.text).toContain('Doomed');
    const res = await postForm(agent, `/todos/${id}/delete`, `/todos/${id}/delete`, {});
    expect(res.status).toBe(303);
    expect(await t.db.models.Todo.count()).toBe(0);
    expect(await t.db.models.TodoHistory.count()).toBe(0);
    expect((await agent.get(`/todos/${id}`)).status).toBe(404);
  });

  it('rejects create, edit, status and delete without a CSRF token (403) and changes nothing', async () => {
    const { id } = await t.services.todos.create(userId, { title: 'Guarded', details: '', scheduledFor: today() });
    const attempts: Array<[string, Record<string, string>]> = [
      ['/todos', { title: 'Forged', when: 'today' }],
      [`/todos/${id}`, { title: 'Forged', when: 'today' }],
      [`/todos/${id}/status`, { status: 'done' }],
      [`/todos/${id}/delete`, {}],
    ];
    for (const [action, fields] of attempts) {
      const res = await agent.post(action).type('form').send(fields);
      expect(res.status).toBe(403);
      expect(res.text).toContain('CSRF');
      const wrongToken = await agent.post(action).type('form').send({ ...fields, _csrf: 'not-the-token' });
      expect(wrongToken.status).toBe(403);
    }
    expect(await t.db.models.Todo.count()).toBe(1);
    expect(await t.services.todos.get(userId, id)).toMatchObject({ title: 'Guarded', status: 'new' });
  });

  it("answers 404 for another user's todo on every route and changes nothing", async () => {
    const other = await createUser(t, { email: 'other@example.com' });
    const { id } = await t.services.todos.create(other.id, { title: 'Private', details: 'secret', scheduledFor: today() });
    for (const page of [`/todos/${id}`, `/todos/${id}/edit`, `/todos/${id}/delete`]) {
      const res = await agent.get(page);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('Private');
    }
    const token = await csrfTokenFrom(agent, '/todos/new');
    const posts: Array<[string, Record<string, string>]> = [
      [`/todos/${id}`, { title: 'Hijacked', when: 'today' }],
      [`/todos/${id}`, { title: '', when: 'today' }],
      [`/todos/${id}/status`, { status: 'done' }],
      [`/todos/${id}/status`, { status: 'reassign', toDate: '' }],
      [`/todos/${id}/delete`, {}],
    ];
    for (const [action, fields] of posts) {
      const res = await agent.post(action).type('form').send({ _csrf: token, ...fields });
      expect(res.status).toBe(404);
    }
    expect(await t.services.todos.get(other.id, id)).toMatchObject({ title: 'Private', status: 'new' });
    expect(await t.services.todos.history(other.id, id)).toHaveLength(1);
  });

  it('answers 404, never 500, for ids that are not todo ids', async () => {
    const token = await csrfTokenFrom(agent, '/todos/new');
    for (const ref of ['abc', '0', '-1', '1.5', '99999999999999999999', '12abc', 'nothing']) {
      expect((await agent.get(`/todos/${ref}`)).status).toBe(404);
      expect((await agent.get(`/todos/${ref}/edit`)).status).toBe(404);
      expect((await agent.post(`/todos/${ref}/status`).type('form').send({ _csrf: token, status: 'done' })).status).toBe(404);
    }
    expect((await agent.get('/todos/424242')).status).toBe(404);
  });

  it('answers 404 for an id beyond the INTEGER range without looking it up', async () => {
    const lookups = jest.spyOn(t.services.todos, 'get');
    for (const page of ['/todos/2147483648', '/todos/9999999999/edit', '/todos/2147483648/delete']) {
      expect((await agent.get(page)).status).toBe(404);
    }
    expect(lookups).not.toHaveBeenCalled();
    expect((await agent.get('/todos/2147483647')).status).toBe(404);
    expect(lookups).toHaveBeenCalledWith(userId, 2_147_483_647);
  });

  it('answers a list path in another case with 404, never with every todo', async () => {
    await t.services.todos.create(userId, { title: 'Item today', details: '', scheduledFor: today() });
    await t.services.todos.create(userId, { title: 'Item long ago', details: '', scheduledFor: '2001-01-01' });
    for (const page of ['/todos/TODAY', '/todos/Today', '/todos/Upcoming', '/todos/KIV?q=item']) {
      const res = await agent.get(page);
      expect({ page, status: res.status }).toEqual({ page, status: 404 });
      expect(res.text).not.toContain('Item long ago');
    }
    expect((await agent.get('/todos/today')).text).not.toContain('Item long ago');
  });

  it('filters each list by day and status', async () => {
    const day = today();
    const todos = t.services.todos;
    const make = (title: string, scheduledFor: string) => todos.create(userId, { title, details: '', scheduledFor });
    await make('Item today', day);
    await make('Item tomorrow', addDays(day, 1));
    await make('Item later', addDays(day, 5));
    await make('Item past open', addDays(day, -2));
    const pastDone = await make('Item past done', addDays(day, -3));
    await todos.changeStatus(userId, pastDone.id, 'done');
    const pastKiv = await make('Item past kiv', addDays(day, -1));
    await todos.changeStatus(userId, pastKiv.id, 'kiv');
    const pastFailed = await make('Item past failed', addDays(day, -1));
    await todos.changeStatus(userId, pastFailed.id, 'failed');
    const other = await createUser(t, { email: 'someone@example.com' });
    await todos.create(other.id, { title: 'Item of someone else', details: '', scheduledFor: day });

    const expected: Record<string, string[]> = {
      today: ['Item today'],
      tomorrow: ['Item tomorrow'],
      upcoming: ['Item later'],
      undone: ['Item past open'],
      done: ['Item past done'],
      kiv: ['Item past kiv'],
    };
    for (const [list, titles] of Object.entries(expected)) {
      const res = await agent.get(`/todos/${list}`);
      expect(res.status).toBe(200);
      const shown = [...res.text.matchAll(/class="todo-title" href="\/todos\/\d+">([^<]+)</g)].map((match) => match[1]);
      expect(shown).toEqual(titles);
    }
  });

  it('shows an empty state when a list has nothing', async () => {
    const res = await agent.get('/todos/kiv');
    expect(res.status).toBe(200);
    expect(res.text).toContain('class="empty-state"');
    expect(res.text).not.toContain('class="todo-item');
  });

  it('searches title and details case-insensitively and treats % and _ literally', async () => {
    const make = (title: string, details = '') => t.services.todos.create(userId, { title, details, scheduledFor: today() });
    await make('Buy MILK');
    await make('Call mum', 'ask about the milkman');
    await make('100% done');
    await make('1000 done');
    await make('file_name');
    await make('filename');
    const titles = async (q: string) => {
      const res = await agent.get(`/todos/today?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      return [...res.text.matchAll(/class="todo-title" href="\/todos\/\d+">([^<]+)</g)].map((match) => match[1]).sort();
    };
    expect(await titles('milk')).toEqual(['Buy MILK', 'Call mum']);
    expect(await titles('MiLk')).toEqual(['Buy MILK', 'Call mum']);
    expect(await titles('0%')).toEqual(['100% done']);
    expect(await titles('e_n')).toEqual(['file_name']);
    expect(await titles('nothing like this')).toEqual([]);
    const page = await agent.get('/todos/today?q=milk');
    expect(page.text).toContain('value="milk"');
  });

  it('paginates 30 todos as 25 and 5, with links that keep the search', async () => {
    for (let index = 1; index <= 30; index += 1) {
      await t.services.todos.create(userId, { title: `Task ${String(index).padStart(2, '0')}`, details: '', scheduledFor: today() });
    }
    const first = await agent.get('/todos/today?q=task');
    expect(first.text.match(/class="todo-item /g)).toHaveLength(25);
    expect(first.text).toContain('aria-label="Pages of Today"');
    expect(first.text).toContain('href="/todos/today?q&#x3D;task&amp;page&#x3D;2"');
    expect(first.text).toContain('Page 1 of 2');
    const second = await agent.get('/todos/today?q=task&page=2');
    expect(second.text.match(/class="todo-item /g)).toHaveLength(5);
    expect(second.text).toContain('Task 30');
    expect(second.text).not.toContain('Task 01<');
    expect(second.text).toContain('href="/todos/today?q&#x3D;task"');
    expect((await agent.get('/todos/today?page=abc')).status).toBe(200);
    expect((await agent.get('/todos/today?page=-3')).status).toBe(200);
  });

  it('shows 50 todos on one page when asked, keeps the page size in its links, and ignores a bad one', async () => {
    for (let index = 1; index <= 60; index += 1) {
      await t.services.todos.create(userId, { title: `Task ${String(index).padStart(2, '0')}`, details: '', scheduledFor: today() });
    }
    const items = (text: string) => text.match(/class="todo-item /g)?.length ?? 0;
    const fifty = await agent.get('/todos/today?pageSize=50');
    expect(items(fifty.text)).toBe(50);
    expect(fifty.text).toContain('Page 1 of 2');
    expect(fifty.text).toContain('href="/todos/today?page&#x3D;2&amp;pageSize&#x3D;50"');
    expect(fifty.text).toContain('name="back" value="/todos/today?pageSize&#x3D;50"');
    expect(fifty.text).toContain('<span aria-current="true">50</span>');
    expect(fifty.text).toContain('<a href="/todos/today">25</a>');
    expect(fifty.text).toContain('<a href="/todos/today?pageSize&#x3D;100">100</a>');
    expect(items((await agent.get('/todos/today?pageSize=100')).text)).toBe(60);
    for (const bad of ['0', '101', 'abc', '-5', '2.5']) {
      const res = await agent.get(`/todos/today?pageSize=${bad}`);
      expect({ bad, status: res.status, items: items(res.text) }).toEqual({ bad, status: 200, items: 25 });
    }
    const defaultSize = await agent.get('/todos/today?pageSize=25');
    expect(defaultSize.text).toContain('href="/todos/today?page&#x3D;2"');
    expect(defaultSize.text).toContain('<span aria-current="true">25</span>');
  });

  it('offers no page sizes when every todo fits on the smallest page', async () => {
    await t.services.todos.create(userId, { title: 'Only one', details: '', scheduledFor: today() });
    const res = await agent.get('/todos/today');
    expect(res.text).not.toContain('aria-label="Todos per page"');
  });

  it('creates and changes many todos at once without a lost write, a stall or an error', async () => {
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, index) => t.services.todos.create(userId, { title: `At once ${index}`, details: `**${index}**`, scheduledFor: today() })),
    );
    await Promise.all(made.map((todo, index) => t.services.todos.changeStatus(userId, todo.id, index % 2 ? 'done' : 'kiv')));
    const page = await t.services.todos.list(userId, { list: 'today', pageSize: 100 });
    expect(page.total).toBe(40);
    expect(page.items.filter((todo) => todo.status === 'done')).toHaveLength(20);
    for (const todo of made.slice(0, 3)) expect((await t.services.todos.history(userId, todo.id)).map((entry) => entry.toStatus)).toHaveLength(2);
    const res = await agent.get('/todos/today?pageSize=50');
    expect(res.text.match(/class="todo-item /g)).toHaveLength(40);
    expect(res.text.match(/<span class="status status-done">Done<\/span>/g)).toHaveLength(20);
    expect(res.text.match(/<span class="status status-kiv">Kept in view<\/span>/g)).toHaveLength(20);
  });

  it('shows dashboard counts for today, this week and this month, with a chart and a table', async () => {
    const day = today();
    const done = await t.services.todos.create(userId, { title: 'A', details: '', scheduledFor: day });
    await t.services.todos.changeStatus(userId, done.id, 'done');
    await t.services.todos.create(userId, { title: 'B', details: '', scheduledFor: day });
    await t.services.todos.create(userId, { title: 'C', details: '', scheduledFor: '1999-01-01' });
    const res = await agent.get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<svg class="bar-chart"');
    expect(res.text).toContain('class="chart-bar status-done"');
    expect(res.text).toContain('<table class="counts-table">');
    expect(res.text).not.toMatch(/style="/);
    const totals = /<tfoot>\s*<tr><th scope="row">Total<\/th><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td>/.exec(res.text);
    expect(totals?.slice(1)).toEqual(['2', '2', '2']);
    const doneRow = /status-done">Done<\/span><\/th><td>(\d+)<\/td>/.exec(res.text);
    expect(doneRow?.[1]).toBe('1');
  });
});
