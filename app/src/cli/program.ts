import { Command } from 'commander';
import { loadConfig } from '../config';
import { createDatabase } from '../db/database';
import { migrateUp, migrationStatus } from '../db/migrator';

export function buildProgram(): Command {
  const program = new Command('todobox').description('TodoBox administration commands').showHelpAfterError();

  program
    .command('db:migrate')
    .description('apply pending database migrations (the guide\'s "flask db upgrade")')
    .action(async () => {
      const config = loadConfig();
      const db = await createDatabase(config.database);
      try {
        const applied = await migrateUp(db.sequelize, (message) => process.stdout.write(`${message}\n`));
        process.stdout.write(applied.length ? `Applied ${applied.length} migration(s).\n` : 'Database is up to date.\n');
      } finally {
        await db.close();
      }
    });

  program
    .command('db:status')
    .description('list applied and pending migrations')
    .action(async () => {
      const config = loadConfig();
      const db = await createDatabase(config.database);
      try {
        const status = await migrationStatus(db.sequelize);
        for (const name of status.executed) process.stdout.write(`applied  ${name}\n`);
        for (const name of status.pending) process.stdout.write(`pending  ${name}\n`);
        process.stdout.write(`${status.executed.length} applied, ${status.pending.length} pending\n`);
      } finally {
        await db.close();
      }
    });

  return program;
}
