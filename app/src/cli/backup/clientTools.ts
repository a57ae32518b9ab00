import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Config } from '../../config';

export type ServerEngine = 'mysql' | 'postgres';

/** A client program to run: the password travels in `env` only, never in `args` (which every local user can read). */
export interface ToolCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

type DatabaseConfig = Config['database'];

function mysqlConnectionArgs(database: DatabaseConfig): string[] {
  // TCP like the app, so the same account (user@host) is used even when the host is "localhost".
  return [
    '--protocol=TCP',
    `--host=${database.host}`,
    `--port=${database.port}`,
    `--user=${database.user}`,
    '--default-character-set=utf8mb4',
    ...mysqlTlsArgs(database.tls),
  ];
}

/** The app's DB_SSL for the MySQL/MariaDB client programs. */
function mysqlTlsArgs(tls: DatabaseConfig['tls']): string[] {
  if (tls.mode === 'off') return [];
  const ca = tls.caFile ? [`--ssl-ca=${tls.caFile}`] : [];
  return ['--ssl', tls.mode === 'verify' ? '--ssl-verify-server-cert' : '--skip-ssl-verify-server-cert', ...ca];
}

/** The app's DB_SSL for libpq (pg_dump, psql), which reads it from the environment. */
function postgresTlsEnvironment(tls: DatabaseConfig['tls']): NodeJS.ProcessEnv {
  if (tls.mode === 'off') return {};
  return { PGSSLMODE: tls.mode === 'verify' ? 'verify-full' : 'require', ...(tls.caFile ? { PGSSLROOTCERT: tls.caFile } : {}) };
}

function postgresConnectionArgs(database: DatabaseConfig): string[] {
  // --no-password: fail at once instead of waiting for a prompt nobody answers (cron has no terminal).
  return [`--host=${database.host}`, `--port=${database.port}`, `--username=${database.user}`, '--no-password'];
}

function clientEnvironment(engine: ServerEngine, database: DatabaseConfig, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return engine === 'mysql'
    ? { ...base, MYSQL_PWD: database.password }
    : { ...base, PGPASSWORD: database.password, ...postgresTlsEnvironment(database.tls) };
}

/** MariaDB's and MySQL's mysqldump differ in a few option names. */
export async function mysqldumpIsMariaDb(): Promise<boolean> {
  const { stdout } = await promisify(execFile)('mysqldump', ['--version']);
  return /MariaDB/i.test(stdout);
}

/**
 * Options that leave the backup lock's rows out of a dump (the table itself stays), so a restore
 * never brings back the lease the backup ran under. MySQL's mysqldump has no such option; there the
 * restored lease has long expired unless the restore follows the backup within the lease.
 */
export function lockRowsExclusion(engine: ServerEngine, database: DatabaseConfig, mariaDbClient: boolean): string[] {
  if (engine === 'postgres') return ['--exclude-table-data=backup_lock'];
  return mariaDbClient ? [`--ignore-table-data=${database.name}.backup_lock`] : [];
}

/** The dump program; its SQL goes to stdout. `extraArgs` come before the database name (e.g. --master-data=2). */
export function dumpCommand(engine: ServerEngine, database: DatabaseConfig, base: NodeJS.ProcessEnv, extraArgs: string[] = []): ToolCommand {
  const env = clientEnvironment(engine, database, base);
  if (engine === 'mysql') {
    return {
      command: 'mysqldump',
      args: [...mysqlConnectionArgs(database), '--single-transaction', '--routines', '--no-tablespaces', ...extraArgs, database.name],
      env,
    };
  }
  // --clean --if-exists: the dump drops each object before creating it, so a restore replaces the data.
  return {
    command: 'pg_dump',
    args: [...postgresConnectionArgs(database), '--no-owner', '--clean', '--if-exists', ...extraArgs, `--dbname=${database.name}`],
    env,
  };
}

/** The program that replays a dump read from stdin. */
export function replayCommand(engine: ServerEngine, database: DatabaseConfig, base: NodeJS.ProcessEnv): ToolCommand {
  const env = clientEnvironment(engine, database, base);
  if (engine === 'mysql') {
    return { command: 'mysql', args: [...mysqlConnectionArgs(database), '--batch', database.name], env };
  }
  // One transaction: a failing statement rolls the whole restore back and leaves the database as it was.
  return {
    command: 'psql',
    args: [
      ...postgresConnectionArgs(database),
      '--no-psqlrc',
      '--quiet',
      '--single-transaction',
      '--set=ON_ERROR_STOP=1',
      `--dbname=${database.name}`,
    ],
    env,
  };
}
