import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config';
import { createDatabase } from './db/database';
import { migrateUp } from './db/migrator';
import { createLogger } from './observability/logger';
import { createServices } from './services';
import { createApp } from './app';

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, dir: config.logDir || undefined });
  const db = await createDatabase(config.database, logger);
  const applied = await migrateUp(db.sequelize, (message) => logger.info(message, { event: 'migration' }));
  if (applied.length) logger.info('Migrations applied', { migrations: applied });

  const app = createApp({ config, db, logger, services: createServices(db, config) });
  const server: Server = app.listen(config.port, config.bindAddress, () => {
    logger.info('TodoBox startup', {
      url: `http://${config.bindAddress}:${config.port}`,
      database: config.database.dialect,
      env: config.env,
    });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('Shutting down', { signal });
    const forced = setTimeout(() => {
      logger.error('Shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    forced.unref();
    server.close(() => {
      db.close()
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`TodoBox failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
