import { QueryTypes, type Transaction } from 'sequelize';
import type { Database } from './database';

/**
 * Runs an INSERT of one row (values as bind parameters, $1, $2...) and answers the row's id: the
 * drivers of SQLite and MySQL report it with the statement (MySQL has no RETURNING), PostgreSQL's
 * returns it (RETURNING id).
 */
export async function insertReturningId(db: Database, sql: string, bind: unknown[], transaction?: Transaction): Promise<number> {
  if (db.sequelize.getDialect() !== 'postgres') {
    const [id] = await db.sequelize.query(sql, { bind, type: QueryTypes.INSERT, transaction });
    return Number(id);
  }
  const rows = await db.sequelize.query<{ id: number | string }>(`${sql} RETURNING id`, { bind, type: QueryTypes.SELECT, transaction });
  return Number(rows[0].id);
}
