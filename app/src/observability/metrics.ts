import { Counter, Registry } from 'prom-client';

/**
 * The app's Prometheus metrics. Each app owns its registry (never prom-client's global one), so
 * several apps in one process, as in tests, never share or double-register a metric.
 */
export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    dbErrors: new Counter({
      name: 'todobox_db_errors_total',
      help: 'Database operations that failed because the database could not be reached, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    sessionStoreErrors: new Counter({
      name: 'todobox_session_store_errors_total',
      help: 'Session and login-throttle operations that failed because Redis could not be reached',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
