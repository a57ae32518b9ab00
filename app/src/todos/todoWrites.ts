import { QueryTypes, type Transaction } from 'sequelize';
import type { Database } from '../db';
import { insertReturningId, timestampParameter } from '../db';
import type { TodoStatus } from './statuses';

export interface NewTodoRow {
  userId: number;
  title: string;
  details: string;
  detailsHtml: string;
  status: TodoStatus;
  scheduledFor: string;
}

/** The columns a change may set, by the field that names them. */
const CHANGEABLE_COLUMNS = { title: 'title', details: 'details', detailsHtml: 'details_html', scheduledFor: 'scheduled_for', status: 'status' } as const;

export type TodoRowChanges = Partial<Record<keyof typeof CHANGEABLE_COLUMNS, string>>;

export interface HistoryRow {
  todoId: number;
  fromStatus: TodoStatus | null;
  toStatus: TodoStatus;
  fromDate: string | null;
  toDate: string | null;
}

/**
 * The writes of todos and their history, as plain SQL inside the caller's transaction: a model's
 * build, validation and hooks cost more than the statement itself, and the service has validated
 * every value already.
 */
export function createTodoWrites(db: Database) {
  const { sequelize } = db;
  const stamp = (at: Date) => timestampParameter(sequelize.getDialect(), at);
  return {
    /** Inserts the todo and answers its id. */
    insert(row: NewTodoRow, at: Date, transaction: Transaction): Promise<number> {
      return insertReturningId(
        db,
        'INSERT INTO todo (user_id, title, details, details_html, status, scheduled_for, created, modified) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [row.userId, row.title, row.details, row.detailsHtml, row.status, row.scheduledFor, stamp(at), stamp(at)],
        transaction,
      );
    },

    /** Sets the changed columns of the user's todo and moves its modified time on. */
    async update(userId: number, id: number, changes: TodoRowChanges, at: Date, transaction: Transaction): Promise<void> {
      const fields = (Object.keys(changes) as Array<keyof TodoRowChanges>).filter((field) => changes[field] !== undefined);
      if (fields.length === 0) return;
      const assignments = fields.map((field, index) => `${CHANGEABLE_COLUMNS[field]} = $${index + 1}`).join(', ');
      const n = fields.length;
      await sequelize.query(`UPDATE todo SET ${assignments}, modified = $${n + 1} WHERE id = $${n + 2} AND user_id = $${n + 3}`, {
        bind: [...fields.map((field) => changes[field]), stamp(at), id, userId],
        type: QueryTypes.UPDATE,
        transaction,
      });
    },

    async addHistory(entry: HistoryRow, at: Date, transaction: Transaction): Promise<void> {
      await sequelize.query('INSERT INTO todo_history (todo_id, from_status, to_status, from_date, to_date, created) VALUES ($1, $2, $3, $4, $5, $6)', {
        bind: [entry.todoId, entry.fromStatus, entry.toStatus, entry.fromDate, entry.toDate, stamp(at)],
        type: QueryTypes.INSERT,
        transaction,
      });
    },

    /** Deletes the user's todo with its history. */
    /** Whether there was such a todo to delete. */
    async remove(userId: number, id: number, transaction: Transaction): Promise<boolean> {
      await sequelize.query('DELETE FROM todo_history WHERE todo_id IN (SELECT id FROM todo WHERE id = ? AND user_id = ?)', {
        replacements: [id, userId],
        type: QueryTypes.DELETE,
        transaction,
      });
      return (await db.models.Todo.destroy({ where: { id, userId }, transaction })) > 0;
    },
  };
}
