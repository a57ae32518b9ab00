import { ConnectionError, DatabaseError } from 'sequelize';
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from 'redis';

export type Dependency = 'database' | 'redis';

/** A dependency that could not be reached, and how (the `kind` label of todobox_db_errors_total). */
export interface DependencyFailure {
  dependency: Dependency;
  kind: string;
}

/** Thrown by a readiness probe that got no answer in time. */
export class DependencyTimeoutError extends Error {
  constructor(public readonly dependency: Dependency, timeoutMs: number) {
    super(`${dependency} did not answer within ${timeoutMs} ms`);
    this.name = 'DependencyTimeoutError';
  }
}

/** Driver codes of a connection that broke while a query was running (MySQL/MariaDB, PostgreSQL, sockets). */
const LOST_CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

const REDIS_CONNECTION_ERRORS = [
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
];

function databaseKind(error: ConnectionError): string {
  const kind = error.name.replace(/^Sequelize/, '').replace(/Error$/, '');
  return kind.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() || 'connection';
}

function driverCode(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isLostDatabaseConnection(error: unknown): boolean {
  if (!(error instanceof DatabaseError)) return false;
  const code = driverCode(error.parent) ?? driverCode(error.original);
  return (code !== undefined && LOST_CONNECTION_CODES.has(code)) || /closed state|connection (is )?(lost|terminated)/i.test(error.message);
}

/** Socket errors as a client hands them on when its server goes away mid-command. */
const SOCKET_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

function isRedisConnectionError(error: unknown): boolean {
  if (REDIS_CONNECTION_ERRORS.some((type) => error instanceof type)) return true;
  if (!(error instanceof Error)) return false;
  // A command under way when Redis goes away is rejected with the socket's own error. Sequelize
  // wraps every error of the database's driver, and the app opens no other connection, so a bare
  // socket error comes from Redis.
  const code = driverCode(error);
  if (code !== undefined && SOCKET_ERROR_CODES.has(code)) return true;
  // Errors raised while the socket is gone, as the client or a store passes them on.
  return /Stream isn't writeable|The client is (closed|offline)|Redis connection is not ready/i.test(error.message);
}

/**
 * Whether an error means a backing service is unreachable (answered with 503 and counted as an
 * outage) rather than a bug. The one place that knows the error shapes of Sequelize and Redis.
 */
export function dependencyFailureOf(error: unknown): DependencyFailure | null {
  if (error instanceof DependencyTimeoutError) return { dependency: error.dependency, kind: 'timeout' };
  if (error instanceof ConnectionError) return { dependency: 'database', kind: databaseKind(error) };
  if (isLostDatabaseConnection(error)) return { dependency: 'database', kind: 'connection_lost' };
  if (isRedisConnectionError(error)) return { dependency: 'redis', kind: 'connection' };
  return null;
}
