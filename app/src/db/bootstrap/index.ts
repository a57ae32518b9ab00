import { Sequelize } from 'sequelize';
import type { Config, DatabaseCredentials } from '../../config';
import { connectionOptions } from '../database';
import { bootstrapMysql } from './mysqlUsers';
import { type BootstrapReport, planBootstrap } from './plan';
import { bootstrapPostgres } from './postgresUsers';

/** The database PostgreSQL always has, where roles and databases are created. */
const POSTGRES_MAINTENANCE_DATABASE = 'postgres';

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
  const { plan, administrator } = planBootstrap(database);
  if (database.dialect === 'mysql') {
    const admin = administratorConnection(database, administrator, undefined);
    try {
      return await bootstrapMysql(admin, administrator.user, plan);
    } finally {
      await admin.close();
    }
  }
  const server = administratorConnection(database, administrator, POSTGRES_MAINTENANCE_DATABASE);
  try {
    return await bootstrapPostgres(server, () => administratorConnection(database, administrator, plan.database), administrator.user, plan);
  } finally {
    await server.close();
  }
}
