import cluster from 'node:cluster';
import type { Config } from '../config';
import { createLogger, Logger } from '../observability';
import type { ActiveTraceIds } from '../tracing';
import { sendToPrimary } from './messages';

/**
 * The logger of this process. Lines for the log file of a cluster worker go to the primary, the
 * only process that writes the file, so that lines of several workers never interleave.
 */
export function createProcessLogger(config: Config, activeTraceIds?: ActiveTraceIds): Logger {
  const dir = config.logDir || undefined;
  if (!cluster.isWorker) return createLogger({ level: config.logLevel, dir, activeTraceIds });
  return createLogger({
    level: config.logLevel,
    activeTraceIds,
    sendFileLinesTo: dir ? (lines) => sendToPrimary({ type: 'todobox:log', lines }) : undefined,
  });
}
