import type { Command } from 'commander';
import { migrateUp, migrationStatus } from '../../db';
import { withContext } from '../context';
import type { CliIo } from '../io';

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
}
