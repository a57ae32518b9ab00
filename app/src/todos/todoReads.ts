import { QueryTypes } from 'sequelize';
import type { Database } from '../db';
import { dayOf, dayOrNullOf, timestampOf } from '../db';
import { addDays } from '../shared';
import { escapeLikePattern, LIKE_ESCAPE_CHARACTER } from './search';
import { OPEN_STATUSES, TodoStatus } from './statuses';
import type { TodoHistoryEntry, TodoList, TodoSummary, TodoView } from './types';

interface SummaryRow {
  id: number;
  title: string;
  status: TodoStatus;
  scheduled_for: unknown;
  created: unknown;
  modified: unknown;
}

interface TodoRow extends SummaryRow {
  details: string;
  details_html: string;
}

interface HistoryRow {
  from_status: TodoStatus | null;
  to_status: TodoStatus;
  from_date: unknown;
  to_date: unknown;
  created: unknown;
}

const SUMMARY_COLUMNS = 'id, title, status, scheduled_for, created, modified';
const TODO_COLUMNS = `${SUMMARY_COLUMNS}, details, details_html`;

function summaryOf(row: SummaryRow): TodoSummary {
  return {
    id: Number(row.id),
    title: row.title,
    status: row.status,
    scheduledFor: dayOf(row.scheduled_for),
    created: timestampOf(row.created),
    modified: timestampOf(row.modified),
  };
}

function todoOf(row: TodoRow): TodoView {
  return { ...summaryOf(row), details: row.details, detailsHtml: row.details_html };
}

/** What a page of todos reads: whole todos, or summaries for a list that shows no details. */
interface PageShape<Row, Item> {
  columns: string;
  itemOf(row: Row): Item;
}

const WHOLE: PageShape<TodoRow, TodoView> = { columns: TODO_COLUMNS, itemOf: todoOf };
const SUMMARY: PageShape<SummaryRow, TodoSummary> = { columns: SUMMARY_COLUMNS, itemOf: summaryOf };

export interface TodoFilter {
  list?: TodoList;
  status?: TodoStatus;
  search?: string;
  /** The day "today" is, for the day lists. */
  day: string;
}

/** A WHERE clause and its values; every value is a replacement, never text in the SQL. */
interface Condition {
  sql: string;
  values: unknown[];
}

function listCondition(list: TodoList, day: string): Condition {
  switch (list) {
    case 'today':
      return { sql: 'scheduled_for = ?', values: [day] };
    case 'tomorrow':
      return { sql: 'scheduled_for = ?', values: [addDays(day, 1)] };
    case 'upcoming':
      return { sql: 'scheduled_for > ?', values: [addDays(day, 1)] };
    case 'undone':
      return { sql: `scheduled_for < ? AND status IN (${OPEN_STATUSES.map(() => '?').join(', ')})`, values: [day, ...OPEN_STATUSES] };
    case 'done':
      return { sql: 'status = ?', values: ['done'] };
    case 'kiv':
      return { sql: 'status = ?', values: ['kiv'] };
  }
}

/** Day lists read in calendar order; done and KIV show the most recently touched first. */
function orderOf(list: TodoList | undefined): string {
  if (list === 'done' || list === 'kiv') return 'modified DESC, id DESC';
  if (list === undefined) return 'scheduled_for DESC, id DESC';
  return 'scheduled_for ASC, id ASC';
}

/**
 * The reads behind every page and API answer, as plain SQL through Sequelize: a list of fifty todos
 * costs one indexed query and no model instances. Writes stay with the models.
 */
export function createTodoReads(db: Database) {
  const { sequelize } = db;
  const like = sequelize.getDialect() === 'postgres' ? 'ILIKE' : 'LIKE';

  function where(userId: number, filter: TodoFilter): Condition {
    const parts: Condition[] = [{ sql: 'user_id = ?', values: [userId] }];
    if (filter.list !== undefined) parts.push(listCondition(filter.list, filter.day));
    if (filter.status !== undefined) parts.push({ sql: 'status = ?', values: [filter.status] });
    if (filter.search) {
      const pattern = `%${escapeLikePattern(filter.search)}%`;
      const escape = `ESCAPE '${LIKE_ESCAPE_CHARACTER}'`;
      parts.push({ sql: `(title ${like} ? ${escape} OR details ${like} ? ${escape})`, values: [pattern, pattern] });
    }
    return { sql: parts.map((part) => part.sql).join(' AND '), values: parts.flatMap((part) => part.values) };
  }

  async function pageOf<Row, Item>(
    shape: PageShape<Row, Item>,
    userId: number,
    filter: TodoFilter,
    page: { limit: number; offset: number },
  ): Promise<{ items: Item[]; total: number }> {
    const condition = where(userId, filter);
    // One query: the count is an uncorrelated subquery, which each engine evaluates once, on the index.
    const rows = await sequelize.query<Row & { total: number | string }>(
      `SELECT ${shape.columns}, (SELECT COUNT(*) FROM todo WHERE ${condition.sql}) AS total FROM todo WHERE ${condition.sql} ` +
        `ORDER BY ${orderOf(filter.list)} LIMIT ? OFFSET ?`,
      { replacements: [...condition.values, ...condition.values, page.limit, page.offset], type: QueryTypes.SELECT },
    );
    if (rows[0]) return { items: rows.map((row) => shape.itemOf(row)), total: Number(rows[0].total) };
    if (page.offset === 0) return { items: [], total: 0 };
    const counted = await sequelize.query<{ total: number | string }>(`SELECT COUNT(*) AS total FROM todo WHERE ${condition.sql}`, {
      replacements: condition.values,
      type: QueryTypes.SELECT,
    });
    return { items: [], total: Number(counted[0]?.total ?? 0) };
  }

  return {
    page: (userId: number, filter: TodoFilter, page: { limit: number; offset: number }) => pageOf(WHOLE, userId, filter, page),

    summaryPage: (userId: number, filter: TodoFilter, page: { limit: number; offset: number }) => pageOf(SUMMARY, userId, filter, page),

    /** The todo, if it exists and belongs to `userId`. */
    async owned(userId: number, id: number): Promise<TodoView | null> {
      const rows = await sequelize.query<TodoRow>(`SELECT ${TODO_COLUMNS} FROM todo WHERE id = ? AND user_id = ?`, {
        replacements: [id, userId],
        type: QueryTypes.SELECT,
      });
      return rows[0] ? todoOf(rows[0]) : null;
    },

    /** How many of the user's todos planned within `range` are in each status. */
    async countByStatus(userId: number, range: { start: string; end: string }): Promise<Array<{ status: string; count: number }>> {
      const rows = await sequelize.query<{ status: string; count: number | string }>(
        'SELECT status, COUNT(id) AS count FROM todo WHERE user_id = ? AND scheduled_for BETWEEN ? AND ? GROUP BY status',
        { replacements: [userId, range.start, range.end], type: QueryTypes.SELECT },
      );
      return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
    },

    async history(todoId: number): Promise<TodoHistoryEntry[]> {
      const rows = await sequelize.query<HistoryRow>(
        'SELECT from_status, to_status, from_date, to_date, created FROM todo_history WHERE todo_id = ? ORDER BY created ASC, id ASC',
        { replacements: [todoId], type: QueryTypes.SELECT },
      );
      return rows.map((row) => ({
        fromStatus: row.from_status,
        toStatus: row.to_status,
        fromDate: dayOrNullOf(row.from_date),
        toDate: dayOrNullOf(row.to_date),
        created: timestampOf(row.created),
      }));
    },
  };
}

