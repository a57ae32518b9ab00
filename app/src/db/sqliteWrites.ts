import { Mutex } from 'async-mutex';
import { QueryTypes, Transaction, type Sequelize, type TransactionOptions } from 'sequelize';

/** Query types that only read: everything else (writes, and raw statements such as DDL) takes its turn. */
const READS = new Set<string>([QueryTypes.SELECT, QueryTypes.SHOWTABLES, QueryTypes.SHOWINDEXES, QueryTypes.DESCRIBE, QueryTypes.VERSION]);

export type RunTransaction = <T>(work: (transaction: Transaction) => Promise<T>, options?: TransactionOptions) => Promise<T>;

/** The parts of Sequelize's SQLite connection manager (and of a node-sqlite3 Database) used here. */
interface SqliteConnection {
  configure(option: 'busyTimeout', milliseconds: number): void;
  close(callback?: (error: Error | null) => void): void;
}
interface SqliteConnectionManager {
  connections: Record<string, SqliteConnection | undefined>;
  getConnection(options?: { uuid?: string }): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection, force?: boolean): void;
  destroyConnection(connection: SqliteConnection): Promise<void>;
}

const WRITING_CONNECTION = 'todobox-transactions';
/** How long a transaction waits at BEGIN for another process's write to finish, as the main connection does. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Sequelize opens a new SQLite connection for every transaction and closes it at the end, which
 * costs more than the transaction's own statements (1.8 ms against 0.3 ms for one insert). Since
 * this process runs one transaction at a time (see takeTurnsWriting), one connection serves them
 * all and stays open; it is closed and replaced only if a transaction leaves it in doubt.
 */
function reuseOneTransactionConnection(sequelize: Sequelize): void {
  const manager = sequelize.connectionManager as unknown as SqliteConnectionManager;
  const getConnection = manager.getConnection.bind(manager);
  const releaseConnection = manager.releaseConnection.bind(manager);
  const destroyConnection = manager.destroyConnection.bind(manager);
  const isWriter = (connection: SqliteConnection) => connection === manager.connections[WRITING_CONNECTION];
  manager.getConnection = async (options = {}) => {
    if (!options.uuid || options.uuid === 'default') return getConnection(options);
    const opened = manager.connections[WRITING_CONNECTION] !== undefined;
    const connection = await getConnection({ ...options, uuid: WRITING_CONNECTION });
    if (!opened) connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
    return connection;
  };
  manager.releaseConnection = (connection, force) => {
    if (!isWriter(connection)) releaseConnection(connection, force);
  };
  manager.destroyConnection = async (connection) => {
    if (!isWriter(connection)) return destroyConnection(connection);
    delete manager.connections[WRITING_CONNECTION];
    await new Promise<void>((resolve) => connection.close(() => resolve()));
  };
}

/**
 * SQLite lets one connection write at a time. Two writers of one process would wait for each other
 * inside SQLite, each holding one of the few threads that run every query; enough of them and the
 * thread that would end the wait is never free, so writes stall for seconds (32 concurrent creates
 * stopped the app altogether). Here the process's writes take turns in JavaScript instead, where
 * waiting holds no thread: a transaction for its whole length, any other write for its one
 * statement. Transactions start IMMEDIATE, taking SQLite's write lock at BEGIN, so one that read
 * first cannot fail on its first write because another process wrote in between. Other processes
 * (more workers, the todobox command) still meet in SQLite's busy handler, one thread at a time each.
 */
export function takeTurnsWriting(sequelize: Sequelize): RunTransaction {
  const turn = new Mutex();
  const releases = new WeakMap<object, () => void>();
  reuseOneTransactionConnection(sequelize);
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
