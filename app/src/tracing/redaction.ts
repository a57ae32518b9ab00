import type { IncomingMessage } from 'node:http';
import type { Attributes } from '@opentelemetry/api';

/**
 * SQL with every string and number literal replaced by `?`. Sequelize writes some values into the
 * statement itself (the session store's upsert carries the session id and CSRF token), and a trace
 * must not carry what a log line may not.
 */
export function maskSqlLiterals(sql: string): string {
  return sql.replace(/'(?:[^'\\]|\\.|'')*'/g, '?').replace(/\b\d+(?:\.\d+)?\b/g, '?');
}

/** The Redis command alone: keys hold session ids, values hold sessions. */
export function redisCommandOnly(command: string): string {
  return command;
}

/** A query string can carry search terms or a token: a request's span records only that there was one. */
export function redactedQueryString(request: IncomingMessage): Attributes {
  return request.url?.includes('?') ? { 'url.query': 'REDACTED' } : {};
}
