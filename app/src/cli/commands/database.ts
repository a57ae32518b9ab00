import type { Command } from 'commander';
import { BaseError } from 'sequelize';
import { loadConfig } from '../../config';
import { bootstrapDatabaseUsers, migrateUp, migrationStatus } from '../../db';
import { CliError } from '../cliError';
import { withContext } from '../context';
import type { CliIo } from '../io';
import { redact } from '../redact';

export function registerDatabaseCommands(program: Command, io: CliIo): void {
  program
    .command('db:migrate')
    .description('apply pending database migrations (the guide\'s "flask db upgrade")')
    .action(() =>
      withContext(io, {}, async ({ db }) => {
        const applied = await migrateUp(db.sequelize, (message) => io.out(`${message}\n`));
        io.out(applied.length ? `Applied ${applied.length} migration(s).\n` : 'Database is up to date.\n');
      }),
    );

  program
    .command('db:status')
    .description('list applied and pending migrations')
    .action(() =>
      withContext(io, {}, async ({ db }) => {
        const status = await migrationStatus(db.sequelize);
        for (const name of status.executed) io.out(`applied  ${name}\n`);
        for (const name of status.pending) io.out(`pending  ${name}\n`);
        io.out(`${status.executed.length} applied, ${status.pending.length} pending\n`);
      }),
    );

  program
    .command('db:bootstrap')
    .description("create the app's own database user (and the monitoring exporter's) as the administrator; safe to repeat")
    .addHelpText(
      'after',
      '\nThe app\'s user and password are DB_USER and DB_PW; the administrator\'s are DB_ADMIN_USER and DB_ADMIN_PASSWORD;\n' +
        'DB_EXPORTER_USER and DB_EXPORTER_PASSWORD add the exporter\'s. Pass the administrator\'s in the environment of this\n' +
        'command only, never in the app\'s environment file.',
    )
    .action(async () => {
      const config = loadConfig(io.env, { readDotenv: io.readDotenv, enforceProductionSecrets: false });
      let report: string[];
      try {
        report = await bootstrapDatabaseUsers(config.database);
      } catch (error) {
        // The server's own words (access denied, unknown host, missing privilege) are what the operator can act on,
        // but a syntax error quotes the statement, password and all.
        if (error instanceof BaseError) {
          const { administrator, exporter, host, password, port } = config.database;
          throw new CliError(`As ${administrator?.user} on ${host}:${port}: ${redact(error.message, password, administrator?.password, exporter?.password)}`);
        }
        throw error;
      }
      for (const line of report) io.out(`${line}\n`);
    });
}
