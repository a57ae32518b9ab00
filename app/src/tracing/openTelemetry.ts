import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { BUILD_VERSION, UNOBSERVED_PATHS, withinDeadline } from '../shared';
import { maskSqlLiterals, redactedQueryString, redisCommandOnly } from './redaction';
import type { ActiveTraceIds, Tracing } from './traceIds';

/** How long a stopping server waits for the collector to take the last spans. */
const SHUTDOWN_LIMIT_MS = 3_000;

/**
 * What the app sends when no OTEL_* variable says otherwise: traces only, since its metrics are
 * Prometheus's and its logs are JSON lines on stdout.
 */
const APP_DEFAULTS = { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };

const activeTraceIds: ActiveTraceIds = () => {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return undefined;
  return { traceId: context.traceId, spanId: context.spanId, sampled: (context.traceFlags & TraceFlags.SAMPLED) !== 0 };
};

/**
 * Starts OpenTelemetry's Node SDK: spans for incoming and outgoing HTTP (W3C traceparent read and
 * sent), Express's routing, MySQL/MariaDB and PostgreSQL queries and Redis commands, exported over
 * OTLP as the OTEL_* settings say. Only modules loaded after this call are traced.
 */
export function startOpenTelemetry(settings: Record<string, string>): Tracing {
  // The SDK reads its settings from the process environment; those from `.env` are put there first.
  for (const [name, value] of Object.entries({ ...APP_DEFAULTS, ...settings })) process.env[name] ??= value;
  const sdk = new NodeSDK({
    // Detected attributes (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) take precedence over these.
    resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.name': 'todobox', 'service.version': BUILD_VERSION })),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNOBSERVED_PATHS.test((request.url ?? '').split('?')[0]),
        startIncomingSpanHook: redactedQueryString,
      }),
      new ExpressInstrumentation(),
      new MySQL2Instrumentation({ maskStatement: true, maskStatementHook: (sql) => maskSqlLiterals(sql, 'mysql') }),
      new PgInstrumentation({ requestHook: (span, { query }) => span.setAttribute('db.query.text', maskSqlLiterals(query.text, 'postgres')) }),
      new RedisInstrumentation({ dbStatementSerializer: redisCommandOnly }),
    ],
  });
  sdk.start();
  // A collector that is down or never answers must not hold a stopping server past its supervisor's
  // grace period (SIGKILL): the spans still queued after this long are given up.
  const shutdown = () => withinDeadline(sdk.shutdown(), SHUTDOWN_LIMIT_MS, () => new Error(`the collector took over ${SHUTDOWN_LIMIT_MS} ms to take the last spans`));
  return { activeTraceIds, shutdown };
}
