import cluster from 'node:cluster';
import type { Config } from '../config';
import type { Logger } from '../observability';
import type { Tracing } from '../tracing';
import { openApp } from '../composition';
import { drainable } from './gracefulServer';
import { createAppServer } from './appServer';
import { registrySource, startMetricsServer } from '../observability';
import { workerMetrics } from './clusterMetrics';
import { workerSiblings } from './clusterCache';

/**
 * A promise nobody awaited failed (a store's background cleanup while the database is down, say):
 * log it and keep serving, as one stray rejection must not take every in-flight request down.
 */
function logUnhandledRejections(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error('Unhandled promise rejection', { event: 'unhandled_rejection', error: reason });
  });
}

/**
 * Serves HTTP until SIGTERM/SIGINT, then drains in-flight requests, closes the pools, sends the
 * spans not yet exported and exits 0.
 */
export async function runWorker(config: Config, logger: Logger, tracing?: Tracing): Promise<void> {
  logUnhandledRejections(logger);
  const assembly = await openApp(config, {
    logger,
    activeTraceIds: tracing?.activeTraceIds,
    siblings: cluster.isWorker ? workerSiblings() : undefined,
    metricsSource: cluster.isWorker ? workerMetrics : undefined,
  });
  const { app, backends } = assembly;
  // In a cluster the primary serves METRICS_PORT; a single process serves it itself.
  const metricsServer =
    !cluster.isWorker && config.metrics.port
      ? await startMetricsServer(
          { port: config.metrics.port, bindAddress: config.metrics.bindAddress },
          registrySource(backends.metrics.registry),
          logger,
        )
      : undefined;
  const server = createAppServer(app, config);
  const connections = drainable(server);
  server.on('request', connections.serve(app));
  // A port in use or not allowed fails the start (exit 1) instead of an unheard 'error' event.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  logger.info('TodoBox startup', {
    url: `http://${config.bindAddress}:${config.port}`,
    database: config.database.dialect,
    sessions: backends.redis ? 'redis' : 'database',
    env: config.env,
    pid: process.pid,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('Shutting down: draining requests', { signal, inFlight: connections.inFlight() });
    metricsServer?.close();
    const drained = await connections.drain(config.shutdownTimeoutSeconds * 1000);
    if (!drained) logger.warn('Drain timeout reached; closing remaining connections');
    await assembly.close().catch((error) => logger.error('Closing the Redis connection or the database pool failed', { error }));
    await tracing?.shutdown().catch((error) => logger.error('Sending the last spans failed', { event: 'tracing_failed', error }));
    logger.info('Stopped', { pid: process.pid });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
