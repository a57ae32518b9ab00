import cluster from 'node:cluster';
import type { Config } from '../config';
import { createDatabase, migrateUp } from '../db';
import type { Logger } from '../observability';
import type { Tracing } from '../tracing';
import { createProcessLogger } from './logging';
import { runPrimary } from './primary';
import { runWorker } from './worker';

async function applyMigrations(config: Config, logger: Logger): Promise<void> {
  const db = await createDatabase(config.database, logger);
  try {
    const applied = await migrateUp(db.sequelize, (message) => logger.info(message, { event: 'migration' }));
    if (applied.length) logger.info('Migrations applied', { migrations: applied });
  } finally {
    await db.close();
  }
}

/**
 * A driver can throw from its socket's event handler (pg reading a reply of another protocol, when
 * DB_PORT is a MySQL server's), where no request or promise can catch it: logged as a JSON line like
 * every other failure, then the process ends for its supervisor to restart.
 */
function logUncaughtExceptions(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    logger.error('TodoBox stopped: uncaught exception', { event: 'uncaught_exception', error });
    logger.on('finish', () => process.exit(1));
    logger.end();
    setTimeout(() => process.exit(1), 1000).unref();
  });
}

/** Migrations (once) -> either the worker supervisor or a single HTTP process. */
export async function runTodoBox(config: Config, tracing: Tracing | undefined): Promise<void> {
  const logger = createProcessLogger(config, tracing?.activeTraceIds);
  logUncaughtExceptions(logger);
  if (cluster.isWorker) {
    await runWorker(config, logger, tracing);
    return;
  }
  await applyMigrations(config, logger);
  if (config.webConcurrency > 1) await runPrimary(config, logger);
  else await runWorker(config, logger, tracing);
}
