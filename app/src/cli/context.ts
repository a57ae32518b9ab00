import { Config, loadConfig } from '../config';
import { createDatabase, Database, migrationStatus } from '../db';
import { createServices, Services } from '../services';
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

/** Loads the configuration, opens the database, builds the services, runs `work` and always closes the database. */
export async function withContext<T>(io: CliIo, options: ContextOptions, work: (context: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env, { readDotenv: io.readDotenv, enforceProductionSecrets: options.enforceProductionSecrets });
  const db = await createDatabase(config.database);
  try {
    if (options.requireCurrentSchema) {
      const { pending } = await migrationStatus(db.sequelize);
      if (pending.length > 0) {
        throw new CliError(
          `The database has ${pending.length} pending migration(s) (${pending.join(', ')}): run "todobox db:migrate" first.`,
        );
      }
    }
    return await work({ config, db, services: createServices(db, config) });
  } finally {
    await db.close();
  }
}
