import fs from 'node:fs';
import path from 'node:path';
import { Op, Options, Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../observability';
import { initModels, Models } from './models';
import { RunTransaction, takeTurnsWriting } from './sqliteWrites';

export interface Database {
  sequelize: Sequelize;
  models: Models;
  /** Case-insensitive LIKE, whichever engine runs underneath. */
  likeOperator: typeof Op.like | typeof Op.iLike;
  /** Runs `work` in a transaction: every write that must succeed or fail together goes through here. */
  transaction: RunTransaction;
  close(): Promise<void>;
}

/** mysql2 and pg take the same `ssl` options: TLS, and whether the server's certificate is checked. */
function tlsOptions(tls: Config['database']['tls']): { ssl?: { rejectUnauthorized: boolean; ca?: string } } {
  if (tls.mode === 'off') return {};
  return { ssl: { rejectUnauthorized: tls.mode === 'verify', ...(tls.ca ? { ca: tls.ca } : {}) } };
}

/** How Sequelize reaches the configured database; `todobox db:bootstrap` connects the same way as another user. */
export function connectionOptions(config: Config['database']): Options {
  const pool = {
    max: config.dialect === 'sqlite' ? 1 : config.pool.max,
    min: config.pool.min,
    acquire: config.pool.acquireMs,
    idle: config.pool.idleMs,
  };
  if (config.dialect === 'sqlite') {
    return { dialect: 'sqlite', storage: config.storage, pool };
  }
  return {
    dialect: config.dialect,
    host: config.host,
    port: config.port,
    username: config.user,
    password: config.password,
    database: config.name,
    pool,
    dialectOptions: { ...(config.dialect === 'mysql' ? { charset: 'utf8mb4' } : {}), ...tlsOptions(config.tls) },
    define: config.dialect === 'mysql' ? { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' } : {},
  };
}

/**
 * SQL as logged at debug level, with every quoted value replaced: statements carry session ids,
 * password hashes and token hashes that must never reach a log.
 */
export function withoutLiterals(sql: string): string {
  return sql.replace(/'(?:[^'\\]|''|\\.)*'/g, "'?'");
}

export async function createDatabase(config: Config['database'], logger?: Logger): Promise<Database> {
  if (config.dialect === 'sqlite' && config.storage !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(config.storage)), { recursive: true });
  }
  // Only at debug level: Sequelize formats every statement for the logging function it is given.
  const logSql = logger?.isDebugEnabled() ? (sql: string) => logger.debug('sql', { sql: withoutLiterals(sql) }) : false;
  const sequelize = new Sequelize({ ...connectionOptions(config), logging: logSql });
  if (config.dialect === 'sqlite') {
    // WAL lets readers proceed while a write is in progress; busy_timeout waits instead of failing on a lock.
    await sequelize.query('PRAGMA journal_mode = WAL');
    await sequelize.query('PRAGMA busy_timeout = 5000');
    await sequelize.query('PRAGMA foreign_keys = ON');
  }
  const models = initModels(sequelize);
  const transaction: RunTransaction =
    config.dialect === 'sqlite' ? takeTurnsWriting(sequelize) : (work, options = {}) => sequelize.transaction(options, work);
  return {
    sequelize,
    models,
    likeOperator: config.dialect === 'postgres' ? Op.iLike : Op.like,
    transaction,
    close: () => sequelize.close(),
  };
}
