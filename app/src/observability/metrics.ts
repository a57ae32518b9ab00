import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, RegistryContentType } from 'prom-client';
import { BUILD_VERSION } from '../shared';

/** Latency buckets in seconds; 0.2 and 0.5 are the guide's response-time target and alert threshold. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];
export const DB_QUERY_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5];

export const LOGIN_RESULTS = ['success', 'failure', 'throttled'] as const;

export const REFUSAL_REASONS = ['csrf', 'auth', 'forbidden', 'rate_limited'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const DB_OPERATIONS = ['select', 'insert', 'update', 'delete', 'other'] as const;
export type DbOperation = (typeof DB_OPERATIONS)[number];

export const DB_ERROR_KINDS = [
  'connection_refused',
  'connection_lost',
  'connection_acquire_timeout',
  'host_not_found',
  'access_denied',
  'timeout',
  'connection',
] as const;

export const POOL_STATES = ['used', 'idle', 'waiting'] as const;
export type PoolCounts = Record<(typeof POOL_STATES)[number], number>;

/**
 * The app's Prometheus metrics. Each app owns its registry (never prom-client's global one), so
 * several apps in one process, as in tests, never share or double-register a metric. Every label
 * value of a labelled counter starts at 0, so dashboards and rate() have a series from the start.
 * With `exemplars` (tracing on), the latency histogram keeps the trace of a recent request in each
 * bucket, which only the OpenMetrics exposition can carry.
 */
export function createMetrics(options: { exemplars?: boolean } = {}) {
  const exemplars = options.exemplars ?? false;
  const registry: Registry<RegistryContentType> = new Registry();
  if (exemplars) registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  collectDefaultMetrics({ register: registry });
  let readPool: () => PoolCounts = () => ({ used: 0, idle: 0, waiting: 0 });
  let readPageCacheBytes = () => 0;

  const loginAttempts = new Counter({
    name: 'todobox_login_attempts_total',
    help: 'Password logins by result: success, failure (wrong credentials or blocked account), throttled',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const result of LOGIN_RESULTS) loginAttempts.inc({ result }, 0);

  const unauthorizedRequests = new Counter({
    name: 'todobox_unauthorized_requests_total',
    help: 'Requests refused by reason: csrf (bad CSRF token), auth (no or bad credentials), forbidden (admin only), rate_limited (429)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of REFUSAL_REASONS) unauthorizedRequests.inc({ reason }, 0);

  const dbErrors = new Counter({
    name: 'todobox_db_errors_total',
    help: 'Database operations that failed because the database could not be reached, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const kind of DB_ERROR_KINDS) dbErrors.inc({ kind }, 0);

  const buildInfo = new Gauge({
    name: 'todobox_build_info',
    help: 'Always 1; the labels name the running TodoBox version and Node.js version',
    labelNames: ['version', 'node_version'] as const,
    registers: [registry],
    // Every worker reports the same build: summing across workers would count it once per worker.
    aggregator: 'first',
  });
  buildInfo.set({ version: BUILD_VERSION, node_version: process.versions.node }, 1);

  return {
    registry,
    exemplars,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
      enableExemplars: exemplars,
    }),
    loginAttempts,
    unauthorizedRequests,
    dbQueryDuration: new Histogram({
      name: 'todobox_db_query_duration_seconds',
      help: 'Time the database took to run a query, by operation',
      labelNames: ['operation'] as const,
      buckets: DB_QUERY_DURATION_BUCKETS,
      registers: [registry],
    }),
    dbPoolConnections: new Gauge({
      name: 'todobox_db_pool_connections',
      help: 'Database pool connections by state: used (lent to a query), idle (open, free), waiting (requests queued for one)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const counts = readPool();
        for (const state of POOL_STATES) this.set({ state }, counts[state]);
      },
    }),
    dbErrors,
    pageCacheBytes: new Gauge({
      name: 'todobox_page_cache_bytes',
      help: 'Bytes of rendered pages kept in memory, counted against PAGE_CACHE_MB',
      registers: [registry],
      collect() {
        this.set(readPageCacheBytes());
      },
    }),
    sessionStoreErrors: new Counter({
      name: 'todobox_session_store_errors_total',
      help: 'Session and login-throttle operations that failed because Redis could not be reached',
      registers: [registry],
    }),
    buildInfo,
    /** Where the pool gauge reads its counts from at scrape time. */
    watchPool(read: () => PoolCounts) {
      readPool = read;
    },
    /** Where the page cache gauge reads its size from at scrape time. */
    watchPageCache(read: () => number) {
      readPageCacheBytes = read;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
