import { Op, WhereOptions } from 'sequelize';
import type { Database } from '../db/database';
import type { Todo, TodoHistory } from '../db/models';
import { NotFoundError, ValidationError } from '../middleware/httpError';
import { validate } from '../middleware/validation';
import { addDays, DayRange, isValidDay, monthRange, today as localToday, weekRange } from './dates';
import { renderMarkdown } from './markdown';
import { MAX_PAGE, SEARCH_MAX_LENGTH, todoChangesSchema, todoFieldsSchema } from './schemas';
import { containsText } from './search';
import { OPEN_STATUSES, TODO_STATUSES, TodoStatus } from './statuses';
import {
  DashboardCounts,
  ListQuery,
  StatusCounts,
  TODO_LISTS,
  TodoChanges,
  TodoHistoryEntry,
  TodoInput,
  TodoList,
  TodoPage,
  TodoService,
  TodoView,
} from './types';

const MAX_PAGE_SIZE = 200;

function toView(todo: Todo): TodoView {
  return {
    id: todo.id,
    title: todo.title,
    details: todo.details,
    detailsHtml: todo.detailsHtml,
    status: todo.status,
    scheduledFor: todo.scheduledFor,
    created: todo.created,
    modified: todo.modified,
  };
}

function toHistoryEntry(entry: TodoHistory): TodoHistoryEntry {
  return {
    fromStatus: entry.fromStatus,
    toStatus: entry.toStatus,
    fromDate: entry.fromDate,
    toDate: entry.toDate,
    created: entry.created,
  };
}

function listFilter(list: TodoList, day: string): WhereOptions {
  switch (list) {
    case 'today':
      return { scheduledFor: day };
    case 'tomorrow':
      return { scheduledFor: addDays(day, 1) };
    case 'upcoming':
      return { scheduledFor: { [Op.gt]: addDays(day, 1) } };
    case 'undone':
      return { scheduledFor: { [Op.lt]: day }, status: { [Op.in]: [...OPEN_STATUSES] } };
    case 'done':
      return { status: 'done' };
    case 'kiv':
      return { status: 'kiv' };
    default:
      // List names arrive from URLs and query strings: one this service does not know must never mean "everything".
      throw new ValidationError({ list: `The list must be one of: ${TODO_LISTS.join(', ')}` });
  }
}

function statusFilter(status: TodoStatus): WhereOptions {
  if (!(TODO_STATUSES as readonly string[]).includes(status)) {
    throw new ValidationError({ status: `The status must be one of: ${TODO_STATUSES.join(', ')}` });
  }
  return { status };
}

/** Day lists read in calendar order; done and KIV show the most recently touched first. */
function listOrder(list: TodoList | undefined): Array<[string, 'ASC' | 'DESC']> {
  if (list === 'done' || list === 'kiv') return [['modified', 'DESC'], ['id', 'DESC']];
  if (list === undefined) return [['scheduledFor', 'DESC'], ['id', 'DESC']];
  return [['scheduledFor', 'ASC'], ['id', 'ASC']];
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

export function createTodoService(db: Database, options: { pageSize: number }): TodoService {
  const { Todo, TodoHistory } = db.models;
  const { sequelize } = db;

  async function findOwned(userId: number, id: number): Promise<Todo> {
    const todo = Number.isSafeInteger(id) ? await Todo.findOne({ where: { id, userId } }) : null;
    if (!todo) throw new NotFoundError('Todo');
    return todo;
  }

  /** Validates every change before writing any, then saves the fields, the status and its history together. */
  async function applyChanges(userId: number, id: number, changes: TodoChanges): Promise<TodoView> {
    const todo = await findOwned(userId, id);
    const { status, ...fields } = validate(todoChangesSchema(todo.scheduledFor), changes);
    const fromStatus = todo.status;
    const fromDate = todo.scheduledFor;
    if (fields.title !== undefined) todo.title = fields.title;
    if (fields.details !== undefined) {
      todo.details = fields.details;
      todo.detailsHtml = renderMarkdown(fields.details);
    }
    if (fields.scheduledFor !== undefined) todo.scheduledFor = fields.scheduledFor;
    // Choosing the status a todo already has is no change; a re-assignment always moves it to another day.
    const reassigned = status === 'reassign';
    const statusChanged = status !== undefined && (reassigned || status !== fromStatus);
    if (statusChanged) todo.status = status;
    return sequelize.transaction(async (transaction) => {
      await todo.save({ transaction });
      if (statusChanged) {
        await TodoHistory.create(
          {
            todoId: todo.id,
            fromStatus,
            toStatus: todo.status,
            fromDate: reassigned ? fromDate : null,
            toDate: reassigned ? todo.scheduledFor : null,
          },
          { transaction },
        );
      }
      return toView(todo);
    });
  }

  async function countByStatus(userId: number, range: DayRange): Promise<StatusCounts> {
    const rows = (await Todo.findAll({
      attributes: ['status', [sequelize.fn('COUNT', sequelize.col('id')), 'count']],
      where: { userId, scheduledFor: { [Op.between]: [range.start, range.end] } },
      group: ['status'],
      raw: true,
    })) as unknown as Array<{ status: string; count: number | string }>;
    const counts = emptyCounts();
    for (const row of rows) {
      const count = Number(row.count);
      if ((TODO_STATUSES as readonly string[]).includes(row.status)) counts.byStatus[row.status as TodoStatus] = count;
      counts.total += count;
    }
    return counts;
  }

  return {
    async list(userId: number, query: ListQuery): Promise<TodoPage> {
      const page = positiveInteger(query.page, 1, 'page', MAX_PAGE);
      const pageSize = positiveInteger(query.pageSize, options.pageSize, 'pageSize', MAX_PAGE_SIZE);
      const conditions: WhereOptions[] = [{ userId }];
      if (query.list !== undefined) conditions.push(listFilter(query.list, localToday()));
      if (query.status !== undefined) conditions.push(statusFilter(query.status));
      const search = query.search?.trim().slice(0, SEARCH_MAX_LENGTH);
      if (search) conditions.push(containsText(db, ['title', 'details'], search));
      const { rows, count } = await Todo.findAndCountAll({
        where: { [Op.and]: conditions },
        order: listOrder(query.list),
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      return {
        items: rows.map(toView),
        page,
        pageSize,
        total: count,
        totalPages: Math.max(1, Math.ceil(count / pageSize)),
      };
    },

    async get(userId: number, id: number): Promise<TodoView> {
      return toView(await findOwned(userId, id));
    },

    async history(userId: number, id: number): Promise<TodoHistoryEntry[]> {
      const todo = await findOwned(userId, id);
      const entries = await TodoHistory.findAll({ where: { todoId: todo.id }, order: [['created', 'ASC'], ['id', 'ASC']] });
      return entries.map(toHistoryEntry);
    },

    async create(userId: number, input: TodoInput): Promise<TodoView> {
      const fields = validate(todoFieldsSchema, input);
      return sequelize.transaction(async (transaction) => {
        const todo = await Todo.create(
          { userId, ...fields, detailsHtml: renderMarkdown(fields.details), status: 'new' },
          { transaction },
        );
        await TodoHistory.create(
          { todoId: todo.id, fromStatus: null, toStatus: 'new', fromDate: null, toDate: null },
          { transaction },
        );
        return toView(todo);
      });
    },

    applyChanges,

    changeStatus(userId: number, id: number, status: TodoStatus, toDate?: string): Promise<TodoView> {
      return applyChanges(userId, id, { status, toDate });
    },

    async delete(userId: number, id: number): Promise<void> {
      const todo = await findOwned(userId, id);
      await sequelize.transaction(async (transaction) => {
        await TodoHistory.destroy({ where: { todoId: todo.id }, transaction });
        await todo.destroy({ transaction });
      });
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
      return Todo.count({ where: { userId } });
    },
  };
}
