import type { Sequelize } from 'sequelize';
import type { DbOperation, Metrics, PoolCounts } from './metrics';

const OPERATION_BY_QUERY_TYPE: Record<string, DbOperation> = {
  SELECT: 'select',
  INSERT: 'insert',
  UPSERT: 'insert',
  UPDATE: 'update',
  BULKUPDATE: 'update',
  DELETE: 'delete',
  BULKDELETE: 'delete',
};

const LEADING_VERB = /^\s*(select|insert|update|delete)\b/i;

/** The operation label of a query: from Sequelize's query type, or for a raw query from its first word. */
export function queryOperation(type: string | undefined, sql: string | undefined): DbOperation {
  const byType = type ? OPERATION_BY_QUERY_TYPE[type] : undefined;
  if (byType) return byType;
  const verb = sql ? LEADING_VERB.exec(sql)?.[1] : undefined;
  return verb ? (verb.toLowerCase() as DbOperation) : 'other';
}

interface PoolLike {
  size: number;
  available: number;
  using: number;
  waiting: number;
}

function isPool(candidate: unknown): candidate is PoolLike {
  return typeof candidate === 'object' && candidate !== null && typeof (candidate as PoolLike).using === 'number';
}

/**
 * The pool's counts. Sequelize keeps its pool (sequelize-pool) on the connection manager, which its
 * types do not expose; with read replication it is a pair of pools. SQLite keeps its connection
 * outside any pool, so it reports zeros.
 */
export function poolCounts(sequelize: Sequelize): PoolCounts {
  const pool = (sequelize.connectionManager as unknown as { pool?: unknown }).pool;
  const pools = isPool(pool)
    ? [pool]
    : [(pool as { read?: unknown } | undefined)?.read, (pool as { write?: unknown } | undefined)?.write].filter(isPool);
  return pools.reduce<PoolCounts>(
    (sum, each) => ({ used: sum.used + each.using, idle: sum.idle + each.available, waiting: sum.waiting + each.waiting }),
    { used: 0, idle: 0, waiting: 0 },
  );
}

/**
 * Times every query through Sequelize's beforeQuery/afterQuery hooks: unlike the `benchmark` logging
 * callback they run whatever a query's own `logging` option says, and afterQuery runs for failed
 * queries too. The time starts once a connection is held, so it is the database's time, not pool wait.
 */
export function instrumentDatabase(metrics: Metrics, sequelize: Sequelize): void {
  const started = new WeakMap<object, bigint>();
  sequelize.addHook('beforeQuery', (_options: unknown, query: object) => {
    started.set(query, process.hrtime.bigint());
  });
  sequelize.addHook('afterQuery', (options: { type?: string }, query: object & { sql?: string }) => {
    const start = started.get(query);
    if (start === undefined) return;
    started.delete(query);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    metrics.dbQueryDuration.observe({ operation: queryOperation(options.type, query.sql) }, seconds);
  });
  metrics.watchPool(() => poolCounts(sequelize));
}
