import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Database } from '../../src/db/database';
import { withDatabase } from './backupScenario';
import { withCore } from './core';

const SEED_BATCH = 1000;

export interface DrillUser {
  id: number;
  email: string;
  password: string;
  apiToken: string;
}

/**
 * One account with an API token and `count` todos on `scheduledFor`, the todos inserted in batches
 * (a backup drill needs a realistic volume, not the services' per-todo rules).
 */
export async function seedUserWithTodos(env: Record<string, string>, count: number, scheduledFor: string): Promise<DrillUser> {
  return withCore(env, async ({ services, db }) => {
    const password = 'drill user password';
    const user = await services.users.create({ email: 'drill@example.com', name: 'Drill User', password, isAdmin: false });
    const { token } = await services.tokens.create(user.id, 'backup drill writer');
    for (let first = 0; first < count; first += SEED_BATCH) {
      const rows = Array.from({ length: Math.min(SEED_BATCH, count - first) }, (_, index) => ({
        userId: user.id,
        title: `seeded todo #${first + index + 1}`,
        details: '',
        detailsHtml: '',
        status: 'new' as const,
        scheduledFor,
      }));
      await db.models.Todo.bulkCreate(rows);
    }
    return { id: user.id, email: user.email, password, apiToken: token };
  });
}

async function tableNames(db: Database): Promise<string[]> {
  const tables = await db.sequelize.getQueryInterface().showAllTables();
  return tables.map((table) => String(table)).sort();
}

/** How many rows each table of the database holds. */
export async function rowCounts(env: Record<string, string>): Promise<Record<string, number>> {
  return withDatabase(env, async (db) => {
    const counts: Record<string, number> = {};
    for (const table of await tableNames(db)) {
      const [row] = await db.sequelize.query<{ count: number | string }>(`SELECT COUNT(*) AS count FROM ${db.sequelize.getQueryInterface().quoteIdentifier(table)}`, {
        type: QueryTypes.SELECT,
      });
      counts[table] = Number(row.count);
    }
    return counts;
  });
}

export type DrillTable = 'todo' | 'todo_history';

/** Every row of `table`, all columns, in id order. */
export async function tableRows(env: Record<string, string>, table: DrillTable): Promise<Array<Record<string, unknown>>> {
  return withDatabase(env, (db) => db.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY id`, { type: QueryTypes.SELECT }));
}

/** SHA-256 of every row of `table` in id order: equal before and after means the table was not touched. */
export async function tableChecksum(env: Record<string, string>, table: DrillTable): Promise<string> {
  return crypto.createHash('sha256').update(JSON.stringify(await tableRows(env, table))).digest('hex');
}
