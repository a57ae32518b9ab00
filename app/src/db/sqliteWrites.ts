import { Mutex } from 'async-mutex';
import { QueryTypes, Transaction, type Sequelize, type TransactionOptions } from 'sequelize';

/** Query types that only read: everything else (writes, and raw statements such as DDL) takes its turn. */
const READS = new Set<string>([QueryTypes.SELECT, QueryTypes.SHOWTABLES, QueryTypes.SHOWINDEXES, QueryTypes.DESCRIBE, QueryTypes.VERSION]);

export type RunTransaction = <T>(work: (transaction: Transaction) => Promise<T>, options?: TransactionOptions) => Promise<T>;

/**
 * SQLite lets one connection write at a time, and Sequelize runs each transaction on a connection
 * of its own. Two writers of one process would wait for each other inside SQLite, each holding one
 * of the few threads that run every query; enough of them and the thread that would end the wait is
 * never free, so writes stall for seconds (32 concurrent creates stopped the app altogether). Here
 * the process's writes take turns in JavaScript instead, where waiting holds no thread: a
 * transaction for its whole length, any other write for its one statement. Transactions start
 * IMMEDIATE, taking SQLite's write lock at BEGIN, so one that read first cannot fail on its first
 * write because another process wrote in between. Other processes (more workers, the todobox
 * command) still meet in SQLite's busy handler, one thread at a time each.
 */
export function takeTurnsWriting(sequelize: Sequelize): RunTransaction {
  const turn = new Mutex();
  const releases = new WeakMap<object, () => void>();
  sequelize.addHook('beforeQuery', async (options: { transaction?: unknown; type?: string }, query: object) => {
    if (options.transaction || READS.has(options.type ?? '')) return;
    releases.set(query, await turn.acquire());
  });
  sequelize.addHook('afterQuery', (_options: unknown, query: object) => {
    releases.get(query)?.();
    releases.delete(query);
  });
  return (work, options = {}) =>
    turn.runExclusive(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE, ...options }, work));
}
