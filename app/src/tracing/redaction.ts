import type { IncomingMessage } from 'node:http';
import type { Attributes } from '@opentelemetry/api';

/** How a dialect quotes a string: MySQL escapes with backslashes, PostgreSQL (standard strings) only doubles quotes. */
const STRING_LITERALS = {
  mysql: /'(?:[^'\\]|\\.|'')*'/g,
  postgres: /'(?:[^']|'')*'/g,
};

/**
 * SQL with every string and number literal replaced by `?`. Sequelize writes some values into the
 * statement itself (the session store's upsert carries the session id and CSRF token), and a trace
 * must not carry what a log line may not. The literals are read as the dialect writes them: a
 * PostgreSQL value ending in a backslash must not open the next literal to the trace.
 */
export function maskSqlLiterals(sql: string, dialect: keyof typeof STRING_LITERALS): string {
  return sql.replace(STRING_LITERALS[dialect], '?').replace(/\b\d+(?:\.\d+)?\b/g, '?');
}

/** The Redis command alone: keys hold session ids, values hold sessions. */
export function redisCommandOnly(command: string): string {
  return command;
}

/** A query string can carry search terms or a token: a request's span records only that there was one. */
export function redactedQueryString(request: IncomingMessage): Attributes {
  return request.url?.includes('?') ? { 'url.query': 'REDACTED' } : {};
}
