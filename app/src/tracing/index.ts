import type { Config } from '../config';
import type { Tracing } from './traceIds';

export type { ActiveTraceIds, TraceIds, Tracing } from './traceIds';

/**
 * Starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set. Otherwise OpenTelemetry is not even
 * loaded, so a deployment without tracing pays nothing for it. Call it before the modules it traces
 * (http, express, the database and Redis clients) are first required.
 */
export function startTracingWhenConfigured(config: Config): Tracing | undefined {
  if (!config.tracing) return undefined;
  // Required here, not imported above: importing would load the SDK whether tracing is on or not.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startOpenTelemetry } = require('./openTelemetry') as typeof import('./openTelemetry');
  return startOpenTelemetry(config.tracing.settings);
}
