import cluster, { Worker } from 'node:cluster';
import type { Config } from '../config';
import type { Logger } from '../observability';
import { createForwardedLineWriter, startMetricsServer } from '../observability';
import { primaryMetrics } from './clusterMetrics';
import { primaryCacheRelay } from './clusterCache';
import { isMessage } from './messages';

/** A worker that dies this soon after starting is crash-looping: wait before starting the next. */
const EARLY_DEATH_MS = 5_000;
const CRASH_LOOP_BACKOFF_MS = 2_000;

/**
 * The primary process of `WEB_CONCURRENCY=N`: keeps N workers running (like gunicorn -w N), replaces
 * one that dies, writes the log file for all of them, serves every worker's metrics combined, and on
 * SIGTERM lets each worker drain and exit.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const writeForwardedLine = createForwardedLineWriter({ level: config.logLevel, dir: config.logDir || undefined });
  const metrics = primaryMetrics();
  const cacheRelay = primaryCacheRelay(logger);
  if (config.metrics.port) {
    await startMetricsServer({ port: config.metrics.port, bindAddress: config.metrics.bindAddress }, metrics.source, logger);
  }
  const startedAt = new Map<Worker, number>();
  let stopping = false;
  let exitCode = 0;
  // Until one worker listens, a dying worker means the app cannot start (port in use, say):
  // replacing it would only repeat the failure forever, so the primary stops and exits 1.
  let anyWorkerListened = false;
  cluster.on('listening', () => {
    anyWorkerListened = true;
  });

  const fork = () => {
    if (stopping) return;
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on('message', (message) => {
      if (isMessage(message, 'todobox:log')) message.lines.forEach(writeForwardedLine);
      else {
        metrics.answerWorker(worker, message);
        cacheRelay.fromWorker(worker, message);
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    cacheRelay.workerExited(worker);
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('All workers stopped');
        process.exit(exitCode);
      }
      return;
    }
    if (!anyWorkerListened) {
      logger.error('A worker failed to start; stopping', { event: 'worker_start_failed', pid: worker.process.pid, code, signal });
      exitCode = 1;
      stop();
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    logger.error('Worker died; starting a replacement', { event: 'worker_died', pid: worker.process.pid, code, signal });
    setTimeout(fork, lived < EARLY_DEATH_MS ? CRASH_LOOP_BACKOFF_MS : 0);
  });

  /** Without a signal, the primary stops because the workers could not start. */
  const stop = (signal?: string) => {
    if (stopping) return;
    stopping = true;
    if (signal) logger.info('Shutting down workers', { signal });
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const forced = setTimeout(() => {
      logger.error('Workers did not stop in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000 + 5_000);
    forced.unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  logger.info('Starting workers', { workers: config.webConcurrency });
  for (let i = 0; i < config.webConcurrency; i++) fork();
}
