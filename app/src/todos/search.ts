import { literal, Op, WhereOptions } from 'sequelize';
import type { Database } from '../db/database';

/**
 * `!` escapes LIKE wildcards because, unlike a backslash, it means the same inside a string
 * literal on SQLite, MySQL and PostgreSQL (SQLite has no default escape character at all).
 */
const ESCAPE_CHARACTER = '!';

export function escapeLikePattern(text: string): string {
  return text.replace(/[!%_]/g, (character) => `${ESCAPE_CHARACTER}${character}`);
}

/** Case-insensitive "contains" match on any of the columns, treating `%` and `_` in `text` literally. */
export function containsText(db: Database, columns: string[], text: string): WhereOptions {
  const pattern = literal(`${db.sequelize.escape(`%${escapeLikePattern(text)}%`)} ESCAPE '${ESCAPE_CHARACTER}'`);
  return { [Op.or]: columns.map((column) => ({ [column]: { [db.likeOperator]: pattern } })) };
}
