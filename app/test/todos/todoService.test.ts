import { createTestApp, createUser, TestApp } from '../helpers/testApp';
import { createTodoService } from '../../src/todos/service';
import { addDays, today, tomorrow } from '../../src/shared/days';
import { NotFoundError, ValidationError } from '../../src/errors';
import type { TodoService } from '../../src/todos/types';

describe('todo service', () => {
  let t: TestApp;
  let todos: TodoService;
  let userId: number;

  beforeEach(async () => {
    t = await createTestApp();
    todos = t.services.todos;
    userId = (await createUser(t)).id;
  });
  afterEach(() => t.close());

  async function expectValidation(promise: Promise<unknown>, field: string) {
    const error = await promise.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys((error as ValidationError).fields)).toContain(field);
  }

  it('validates title, details and day on create and update', async () => {
    await expectValidation(todos.create(userId, { title: '  ', details: '', scheduledFor: today() }), 'title');
    await expectValidation(todos.create(userId, { title: 'x'.repeat(256), details: '', scheduledFor: today() }), 'title');
    await expectValidation(todos.create(userId, { title: 'ok', details: 'd'.repeat(10_001), scheduledFor: today() }), 'details');
    await expectValidation(todos.create(userId, { title: 'ok', details: '', scheduledFor: '2026-02-30' }), 'scheduledFor');
    const created = await todos.create(userId, { title: `  ${'x'.repeat(255)}  `, details: 'd'.repeat(10_000), scheduledFor: today() });
    expect(created.title).toHaveLength(255);
    await expectValidation(todos.applyChanges(userId, created.id, { title: '' }), 'title');
    expect(await t.db.models.Todo.count()).toBe(1);
  });

  it('plans a new todo for its date, its relative day, or else today, and takes the day one way only', async () => {
    expect((await todos.create(userId, { title: 'Dated', scheduledFor: addDays(today(), 3) })).scheduledFor).toBe(addDays(today(), 3));
    expect((await todos.create(userId, { title: 'Tomorrow', day: 'tomorrow' })).scheduledFor).toBe(tomorrow());
    expect((await todos.create(userId, { title: 'Undated' })).scheduledFor).toBe(today());
    await expectValidation(todos.create(userId, { title: 'Both', day: 'tomorrow', scheduledFor: tomorrow() }), 'day');
    await expectValidation(todos.create(userId, { title: 'Someday', day: 'someday' as never }), 'day');
    expect(await t.db.models.Todo.count()).toBe(3);
  });

  it('renders details on save and only re-renders when they change', async () => {
    const created = await todos.create(userId, { title: 'T', details: '*one*', scheduledFor: today() });
    expect(created.detailsHtml).toBe('<p><em>one</em></p>');
    const renamed = await todos.applyChanges(userId, created.id, { title: 'Renamed' });
    expect(renamed).toMatchObject({ title: 'Renamed', detailsHtml: '<p><em>one</em></p>' });
    const rewritten = await todos.applyChanges(userId, created.id, { details: '<img src=x onerror=alert(1)>**two**' });
    expect(rewritten.detailsHtml).toBe('<p><strong>two</strong></p>');
  });

  it("treats another user's todo exactly like a missing one", async () => {
    const other = await createUser(t);
    const { id } = await todos.create(other.id, { title: 'Theirs', details: '', scheduledFor: today() });
    const calls = [
      () => todos.get(userId, id),
      () => todos.history(userId, id),
      () => todos.applyChanges(userId, id, { title: 'Mine now' }),
      () => todos.changeStatus(userId, id, 'done'),
      () => todos.delete(userId, id),
      () => todos.get(userId, id + 1000),
    ];
    for (const call of calls) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).message).toBe('Todo not found');
    }
    expect(await todos.get(other.id, id)).toMatchObject({ title: 'Theirs', status: 'new' });
    expect((await todos.list(userId, {})).total).toBe(0);
  });

  it('records a history row for each real status change and none for a repeated one', async () => {
    const { id } = await todos.create(userId, { title: 'T', details: '', scheduledFor: today() });
    await todos.changeStatus(userId, id, 'failed');
    await todos.changeStatus(userId, id, 'failed');
    const target = addDays(today(), 7);
    await todos.changeStatus(userId, id, 'reassign', target);
    await todos.changeStatus(userId, id, 'reassign', addDays(target, 1));
    const history = await todos.history(userId, id);
    expect(history.map((entry) => entry.toStatus)).toEqual(['new', 'failed', 'reassign', 'reassign']);
    expect(history[3]).toMatchObject({ fromStatus: 'reassign', fromDate: target, toDate: addDays(target, 1) });
    expect((await todos.get(userId, id)).scheduledFor).toBe(addDays(target, 1));
  });

  it('requires a valid and different day to re-assign', async () => {
    const { id } = await todos.create(userId, { title: 'T', details: '', scheduledFor: today() });
    await expectValidation(todos.changeStatus(userId, id, 'reassign'), 'scheduledFor');
    await expectValidation(todos.changeStatus(userId, id, 'reassign', 'soon'), 'scheduledFor');
    await expectValidation(todos.changeStatus(userId, id, 'reassign', today()), 'scheduledFor');
    await expectValidation(todos.changeStatus(userId, id, 'archived' as never), 'status');
    expect(await todos.history(userId, id)).toHaveLength(1);
  });

  it('applies a status and field edits together, or nothing when any of them is rejected', async () => {
    const { id } = await todos.create(userId, { title: 'Keep', details: 'kept', scheduledFor: today() });
    await expectValidation(todos.applyChanges(userId, id, { status: 'done', title: '   ' }), 'title');
    await expectValidation(todos.applyChanges(userId, id, { status: 'failed', details: 'd'.repeat(10_001) }), 'details');
    await expectValidation(todos.applyChanges(userId, id, { status: 'kiv', scheduledFor: '2026-02-30' }), 'scheduledFor');
    await expectValidation(todos.applyChanges(userId, id, { status: 'archived' as never, title: 'Renamed' }), 'status');
    expect(await todos.get(userId, id)).toMatchObject({ title: 'Keep', details: 'kept', status: 'new', scheduledFor: today() });
    expect(await todos.history(userId, id)).toHaveLength(1);

    const changed = await todos.applyChanges(userId, id, { status: 'done', title: 'Kept and done', details: '*yes*' });
    expect(changed).toMatchObject({ title: 'Kept and done', status: 'done', detailsHtml: '<p><em>yes</em></p>' });
    expect((await todos.history(userId, id)).map((entry) => entry.toStatus)).toEqual(['new', 'done']);
  });

  it('re-assigns to scheduledFor or to a relative day, and names the field the day came in when rejecting it', async () => {
    const { id } = await todos.create(userId, { title: 'Move', details: '', scheduledFor: today() });
    await expectValidation(todos.applyChanges(userId, id, { status: 'reassign', scheduledFor: today(), title: 'Moved' }), 'scheduledFor');
    await expectValidation(todos.applyChanges(userId, id, { status: 'reassign', day: 'today' }), 'scheduledFor');
    await expectValidation(todos.applyChanges(userId, id, { status: 'reassign', scheduledFor: 'soon' }), 'scheduledFor');
    await expectValidation(todos.applyChanges(userId, id, { status: 'reassign', day: 'someday' as never }), 'day');
    await expectValidation(todos.applyChanges(userId, id, { status: 'reassign' }), 'scheduledFor');
    await expectValidation(todos.applyChanges(userId, id, { status: 'reassign', day: 'tomorrow', scheduledFor: addDays(today(), 2) }), 'day');
    expect(await todos.get(userId, id)).toMatchObject({ title: 'Move', status: 'new', scheduledFor: today() });

    const later = addDays(today(), 4);
    expect(await todos.applyChanges(userId, id, { status: 'reassign', scheduledFor: later, title: 'Moved' })).toMatchObject({
      title: 'Moved',
      status: 'reassign',
      scheduledFor: later,
    });
    expect((await todos.applyChanges(userId, id, { status: 'reassign', day: 'tomorrow' })).scheduledFor).toBe(tomorrow());
    const history = await todos.history(userId, id);
    expect(history.slice(1)).toEqual([
      expect.objectContaining({ fromStatus: 'new', toStatus: 'reassign', fromDate: today(), toDate: later }),
      expect.objectContaining({ fromStatus: 'reassign', toStatus: 'reassign', fromDate: later, toDate: tomorrow() }),
    ]);
  });

  it('rejects a list or status it does not know instead of listing everything', async () => {
    await todos.create(userId, { title: 'Yesterday', details: '', scheduledFor: addDays(today(), -1) });
    await expectValidation(todos.list(userId, { list: 'TODAY' as never }), 'list');
    await expectValidation(todos.list(userId, { list: '' as never }), 'list');
    await expectValidation(todos.list(userId, { status: 'maybe' as never }), 'status');
    expect((await todos.list(userId, { list: 'today' })).total).toBe(0);
  });

  it("counts a user's own todos only", async () => {
    const other = await createUser(t);
    for (const title of ['a', 'b']) await todos.create(userId, { title, details: '', scheduledFor: today() });
    await todos.create(other.id, { title: 'c', details: '', scheduledFor: today() });
    expect(await todos.countForUser(userId)).toBe(2);
    expect(await todos.countForUser(other.id)).toBe(1);
  });

  it('paginates with the configured page size and validates page numbers', async () => {
    const small = createTodoService(t.db, { pageSize: 2 });
    for (const title of ['a', 'b', 'c']) await small.create(userId, { title, details: '', scheduledFor: today() });
    const second = await small.list(userId, { list: 'today', page: 2 });
    expect(second).toMatchObject({ page: 2, pageSize: 2, total: 3, totalPages: 2 });
    expect(second.items.map((todo) => todo.title)).toEqual(['c']);
    expect((await small.list(userId, { list: 'today', pageSize: 3 })).items).toHaveLength(3);
    await expectValidation(small.list(userId, { page: 0 }), 'page');
    await expectValidation(small.list(userId, { page: 1.5 }), 'page');
    await expectValidation(small.list(userId, { page: 1_000_001 }), 'page');
    await expectValidation(small.list(userId, { pageSize: 1000 }), 'pageSize');
    expect(await small.list(userId, { list: 'kiv' })).toMatchObject({ total: 0, totalPages: 1, items: [] });
  });

  it('filters by status and lists done todos most recently changed first', async () => {
    const first = await todos.create(userId, { title: 'first', details: '', scheduledFor: today() });
    const second = await todos.create(userId, { title: 'second', details: '', scheduledFor: today() });
    await todos.changeStatus(userId, second.id, 'done');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await todos.changeStatus(userId, first.id, 'done');
    expect((await todos.list(userId, { list: 'done' })).items.map((todo) => todo.title)).toEqual(['first', 'second']);
    expect((await todos.list(userId, { status: 'new' })).total).toBe(0);
    expect((await todos.list(userId, { status: 'done', search: 'SEC' })).items.map((todo) => todo.title)).toEqual(['second']);
  });

  it('counts by status for a given day, its ISO week and its month', async () => {
    const day = '2026-11-25';
    const make = async (scheduledFor: string, status?: 'done' | 'failed' | 'kiv') => {
      const todo = await todos.create(userId, { title: scheduledFor, details: '', scheduledFor });
      if (status) await todos.changeStatus(userId, todo.id, status);
    };
    await make(day, 'done');
    await make(day);
    await make('2026-11-23', 'failed');
    await make('2026-11-29', 'kiv');
    await make('2026-11-30');
    await make('2026-11-01', 'done');
    await make('2026-10-31');
    await make('2026-12-01');
    const other = await createUser(t);
    await todos.create(other.id, { title: 'not mine', details: '', scheduledFor: day });

    const counts = await todos.dashboard(userId, day);
    expect(counts.today).toEqual({ total: 2, byStatus: { new: 1, done: 1, failed: 0, reassign: 0, kiv: 0 } });
    expect(counts.week).toEqual({ total: 4, byStatus: { new: 1, done: 1, failed: 1, reassign: 0, kiv: 1 } });
    expect(counts.month).toEqual({ total: 6, byStatus: { new: 2, done: 2, failed: 1, reassign: 0, kiv: 1 } });
    await expectValidation(todos.dashboard(userId, '25/11/2026'), 'today');
  });
});
