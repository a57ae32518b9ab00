import { Config, loadConfig } from '../config';
import { Database, migrationStatus } from '../db';
import type { Services } from '../services';
import { openCore } from '../composition';
import { createLogger } from '../observability';
import { CliError } from './cliError';
import type { CliIo } from './io';

export interface CliContext {
  config: Config;
  db: Database;
  services: Services;
}

export interface ContextOptions {
  /** Commands that read or write accounts refuse to run on a schema with pending migrations. */
  requireCurrentSchema?: boolean;
  /** preflight reports default secrets instead of refusing to load a production configuration. */
  enforceProductionSecrets?: boolean;
}

/**
 * Loads the configuration, opens the database, builds the services, runs `work` and always closes
 * the database. The command speaks through its own output; the app's log lines would only garble it.
 */
export async function withContext<T>(io: CliIo, options: ContextOptions, work: (context: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env, { readDotenv: io.readDotenv, enforceProductionSecrets: options.enforceProductionSecrets });
  const core = await openCore(config, { logger: createLogger({ level: 'error', silent: true }), withoutRedis: true });
  const { db, services } = core;
  try {
    if (options.requireCurrentSchema) {
      const { pending } = await migrationStatus(db.sequelize);
      if (pending.length > 0) {
        throw new CliError(
          `The database has ${pending.length} pending migration(s) (${pending.join(', ')}): run "todobox db:migrate" first.`,
        );
      }
    }
    return await work({ config, db, services });
  } finally {
    await core.close();
  }
}
