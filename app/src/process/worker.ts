import type { Config } from '../config';
import { createDatabase } from '../db/database';
import type { Logger } from '../observability/logger';
import { createServices } from '../services';
import { createApp } from '../app';
import { drainable } from './gracefulServer';

/** Serves HTTP until SIGTERM/SIGINT, then drains in-flight requests, closes the pools and exits 0. */
export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const db = await createDatabase(config.database, logger);
  const app = createApp({ config, db, logger, services: createServices(db, config) });
  const server = app.listen(config.port, config.bindAddress, () => {
    logger.info('TodoBox startup', {
      url: `http://${config.bindAddress}:${config.port}`,
      database: config.database.dialect,
      env: config.env,
      pid: process.pid,
    });
  });
  const connections = drainable(server);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('Shutting down: draining requests', { signal, inFlight: connections.inFlight() });
    const drained = await connections.drain(config.shutdownTimeoutSeconds * 1000);
    if (!drained) logger.warn('Drain timeout reached; closing remaining connections');
    await db.close().catch((error) => logger.error('Closing the database pool failed', { error }));
    logger.info('Stopped', { pid: process.pid });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
