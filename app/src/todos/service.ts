import type { Database } from '../db';
import { changeUser, databaseUserVersions, type UserVersions } from '../cache';
import { NotFoundError, validate, ValidationError } from '../errors';
import { DayRange, isValidDay, monthRange, today as localToday, weekRange } from '../shared';
import { renderMarkdown } from './markdown';
import { MAX_PAGE, newTodoSchema, SEARCH_MAX_LENGTH, todoChangesSchema } from './schemas';
import { TODO_STATUSES, TodoStatus } from './statuses';
import { createTodoReads, type TodoFilter } from './todoReads';
import { createTodoWrites, TodoRowChanges } from './todoWrites';
import {
  DashboardCounts,
  ListQuery,
  StatusCounts,
  TODO_LISTS,
  NewTodo,
  TodoChanges,
  TodoHistoryEntry,
  TodoPage,
  TodoService,
  TodoView,
} from './types';

const MAX_PAGE_SIZE = 200;

/** Changes that passed the service's own schemas: a new day, if any, in `scheduledFor`. */
type ValidChanges = Omit<TodoChanges, 'day'>;

/** List names and statuses arrive from URLs and query strings: one this service does not know must never mean "everything". */
function assertKnownFilter(query: ListQuery): void {
  if (query.list !== undefined && !(TODO_LISTS as readonly string[]).includes(query.list)) {
    throw new ValidationError({ list: `The list must be one of: ${TODO_LISTS.join(', ')}` });
  }
  if (query.status !== undefined && !(TODO_STATUSES as readonly string[]).includes(query.status)) {
    throw new ValidationError({ status: `The status must be one of: ${TODO_STATUSES.join(', ')}` });
  }
}

function emptyCounts(): StatusCounts {
  const byStatus = Object.fromEntries(TODO_STATUSES.map((status) => [status, 0])) as Record<TodoStatus, number>;
  return { total: 0, byStatus };
}

function positiveInteger(value: number | undefined, fallback: number, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError({ [field]: `${field} must be a whole number from 1 to ${max}` });
  }
  return value;
}

export interface TodoServiceOptions {
  pageSize: number;
  /** Told of every change to a user's todos once it has committed. */
  versions?: UserVersions;
}

export function createTodoService(db: Database, options: TodoServiceOptions): TodoService {
  const reads = createTodoReads(db);
  const writes = createTodoWrites(db);
  const versions = options.versions ?? databaseUserVersions(db);

  async function findOwned(userId: number, id: number): Promise<TodoView> {
    const todo = Number.isSafeInteger(id) ? await reads.owned(userId, id) : null;
    if (!todo) throw new NotFoundError('Todo');
    return todo;
  }

  /** Saves validated changes to `todo`: the fields, the status and its history together. */
  async function save(userId: number, todo: TodoView, { status, ...fields }: ValidChanges): Promise<TodoView> {
    const { id } = todo;
    // Choosing the status a todo already has is no change; a re-assignment always moves it to another day.
    const reassigned = status === 'reassign';
    const statusChanged = status !== undefined && (reassigned || status !== todo.status);
    const changed: TodoRowChanges = {
      title: fields.title !== todo.title ? fields.title : undefined,
      details: fields.details !== todo.details ? fields.details : undefined,
      detailsHtml: fields.details !== undefined && fields.details !== todo.details ? renderMarkdown(fields.details) : undefined,
      scheduledFor: fields.scheduledFor !== todo.scheduledFor ? fields.scheduledFor : undefined,
      status: statusChanged ? status : undefined,
    };
    const somethingChanged = Object.values(changed).some((value) => value !== undefined);
    const at = new Date();
    return changeUser(db, versions, userId, async (transaction) => {
      await writes.update(userId, id, changed, at, transaction);
      if (statusChanged) {
        await writes.addHistory(
          {
            todoId: id,
            fromStatus: todo.status,
            toStatus: status,
            fromDate: reassigned ? todo.scheduledFor : null,
            toDate: reassigned ? (changed.scheduledFor ?? todo.scheduledFor) : null,
          },
          at,
          transaction,
        );
      }
      const { detailsHtml = todo.detailsHtml, ...rest } = changed;
      const updated = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
      return { ...todo, ...updated, detailsHtml, modified: somethingChanged ? at : todo.modified };
    });
  }

  /** Validates every change, once, before writing any. */
  async function applyChanges(userId: number, id: number, changes: TodoChanges, options?: { statusRequired: boolean }): Promise<TodoView> {
    const todo = await findOwned(userId, id);
    return save(userId, todo, validate(todoChangesSchema(todo.scheduledFor, options), changes));
  }

  async function countByStatus(userId: number, range: DayRange): Promise<StatusCounts> {
    const counts = emptyCounts();
    for (const row of await reads.countByStatus(userId, range)) {
      if ((TODO_STATUSES as readonly string[]).includes(row.status)) counts.byStatus[row.status as TodoStatus] = row.count;
      counts.total += row.count;
    }
    return counts;
  }

  async function listPage<Item>(
    read: (userId: number, filter: TodoFilter, page: { limit: number; offset: number }) => Promise<{ items: Item[]; total: number }>,
    userId: number,
    query: ListQuery,
  ): Promise<TodoPage<Item>> {
    assertKnownFilter(query);
    const page = positiveInteger(query.page, 1, 'page', MAX_PAGE);
    const pageSize = positiveInteger(query.pageSize, options.pageSize, 'pageSize', MAX_PAGE_SIZE);
    const search = query.search?.trim().slice(0, SEARCH_MAX_LENGTH);
    const { items, total } = await read(
      userId,
      { list: query.list, status: query.status, search, day: localToday() },
      { limit: pageSize, offset: (page - 1) * pageSize },
    );
    return { items, page, pageSize, total, totalPages: Math.max(1, Math.ceil(total / pageSize)) };
  }

  return {
    list: (userId: number, query: ListQuery) => listPage(reads.page, userId, query),

    listSummaries: (userId: number, query: ListQuery) => listPage(reads.summaryPage, userId, query),

    get: findOwned,

    async history(userId: number, id: number): Promise<TodoHistoryEntry[]> {
      const todo = await findOwned(userId, id);
      return reads.history(todo.id);
    },

    async create(userId: number, input: NewTodo): Promise<TodoView> {
      const fields = validate(newTodoSchema, input);
      const row = { userId, ...fields, detailsHtml: renderMarkdown(fields.details), status: 'new' as const };
      const at = new Date();
      return changeUser(db, versions, userId, async (transaction) => {
        const id = await writes.insert(row, at, transaction);
        await writes.addHistory({ todoId: id, fromStatus: null, toStatus: 'new', fromDate: null, toDate: null }, at, transaction);
        const { userId: _owner, ...shown } = row;
        return { id, ...shown, created: at, modified: at };
      });
    },

    applyChanges,

    async edit(userId: number, id: number, fields: NewTodo): Promise<TodoView> {
      const todo = await findOwned(userId, id);
      return save(userId, todo, validate(newTodoSchema, fields));
    },

    changeStatus(userId: number, id: number, status: TodoStatus, newDay?: string): Promise<TodoView> {
      return applyChanges(userId, id, { status, scheduledFor: newDay }, { statusRequired: true });
    },

    async delete(userId: number, id: number): Promise<TodoView> {
      const todo = await findOwned(userId, id);
      await changeUser(db, versions, userId, async (transaction) => {
        // Of several deletions of one todo at once, the first takes it; the others find it gone.
        if (!(await writes.remove(userId, id, transaction))) throw new NotFoundError('Todo');
      });
      return todo;
    },

    async dashboard(userId: number, today?: string): Promise<DashboardCounts> {
      if (today !== undefined && !isValidDay(today)) throw new ValidationError({ today: 'Enter a valid date (YYYY-MM-DD)' });
      const day = today ?? localToday();
      const [todayCounts, week, month] = await Promise.all([
        countByStatus(userId, { start: day, end: day }),
        countByStatus(userId, weekRange(day)),
        countByStatus(userId, monthRange(day)),
      ]);
      return { today: todayCounts, week, month };
    },

    countForUser(userId: number): Promise<number> {
      return db.models.Todo.count({ where: { userId } });
    },
  };
}
