import { Sequelize } from 'sequelize';
import { type Config, ConfigError, DATABASE_USER_NAME, DATABASE_USER_NAME_RULE, type DatabaseCredentials } from '../../config';
import { connectionOptions } from '../database';
import { bootstrapMysql } from './mysqlUsers';
import type { BootstrapPlan, BootstrapReport } from './plan';
import { bootstrapPostgres } from './postgresUsers';

/** The database PostgreSQL always has, where roles and databases are created. */
const POSTGRES_MAINTENANCE_DATABASE = 'postgres';

function planFor(database: Config['database']): { plan: BootstrapPlan; administrator: DatabaseCredentials } {
  const problems: string[] = [];
  const { administrator, exporter } = database;
  if (database.dialect === 'sqlite') {
    problems.push('db:bootstrap creates database users on MySQL/MariaDB and PostgreSQL; SQLite (DATABASE_DEFAULT=sqlite) has none');
  }
  if (!administrator) problems.push('DB_ADMIN_USER and DB_ADMIN_PASSWORD must name the administrator that creates the users (on RDS, the master user)');
  if (!DATABASE_USER_NAME.test(database.user)) problems.push(`DB_USER "${database.user}" ${DATABASE_USER_NAME_RULE}`);
  if (database.password === '') problems.push("DB_PW must be set: it becomes the app user's password");
  if (administrator && administrator.user === database.user) problems.push('DB_USER must name the app\'s own user, not the administrator (DB_ADMIN_USER)');
  if (exporter && [database.user, administrator?.user].includes(exporter.user)) problems.push('DB_EXPORTER_USER must be a user of its own, neither DB_USER nor DB_ADMIN_USER');
  if (problems.length > 0 || !administrator) throw new ConfigError(problems);
  return {
    administrator,
    plan: { database: database.name, app: { user: database.user, password: database.password }, exporter, requireTls: database.tls.mode !== 'off' },
  };
}

/** A connection of the administrator's, over the same host, port and TLS settings as the app's. */
function administratorConnection(database: Config['database'], administrator: DatabaseCredentials, name: string | undefined): Sequelize {
  const options = connectionOptions({ ...database, user: administrator.user, password: administrator.password, name: name ?? '' });
  return new Sequelize({ ...options, database: name, logging: false, pool: { max: 1, min: 0, acquire: 30_000, idle: 10_000 } });
}

/**
 * Creates (or brings up to date) the app's database, its least-privilege user and the monitoring
 * exporter's user, connected as the administrator: the step a managed database's master user does
 * once, so that the app itself never runs with the master credentials. Safe to run on every boot.
 */
export async function bootstrapDatabaseUsers(database: Config['database']): Promise<BootstrapReport> {
  const { plan, administrator } = planFor(database);
  if (database.dialect === 'mysql') {
    const admin = administratorConnection(database, administrator, undefined);
    try {
      return await bootstrapMysql(admin, plan);
    } finally {
      await admin.close();
    }
  }
  const server = administratorConnection(database, administrator, POSTGRES_MAINTENANCE_DATABASE);
  try {
    return await bootstrapPostgres(server, () => administratorConnection(database, administrator, plan.database), plan);
  } finally {
    await server.close();
  }
}
