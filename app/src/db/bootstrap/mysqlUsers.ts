import type { Sequelize } from 'sequelize';
import type { DatabaseCredentials } from '../../config';
import type { BootstrapPlan, BootstrapReport } from './plan';

/**
 * What the app needs on its own database and nothing more: its data, the migrations (CREATE, ALTER,
 * INDEX, DROP, REFERENCES) and mysqldump's consistent backups (LOCK TABLES, SHOW VIEW, TRIGGER).
 * No privilege on any other database, none server-wide, no GRANT OPTION.
 */
const APP_PRIVILEGES = 'SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES, SHOW VIEW, TRIGGER';

/** mysqld_exporter's documented grants, with SELECT narrowed to performance_schema: it never reads the todos. */
const EXPORTER_GRANTS = ['PROCESS, REPLICATION CLIENT ON *.*', 'SELECT ON performance_schema.*'];
const EXPORTER_CONNECTIONS = 3;

const quoteIdentifier = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/** In a GRANT's database name `_` and `%` are wildcards even between backticks: todobox_main would also grant todoboxXmain. */
const grantDatabase = (name: string): string => quoteIdentifier(name.replace(/[\\_%]/g, '\\$&'));

/** Creates the user, or brings an existing one's password (and TLS requirement) to the plan's: safe to repeat. */
async function ensureUser(admin: Sequelize, { user, password }: DatabaseCredentials, requireTls: boolean, limits = ''): Promise<void> {
  await admin.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", { replacements: [user, password] });
  // REQUIRE NONE, not nothing, when TLS is off: ALTER USER keeps a requirement it is not told to change.
  await admin.query(`ALTER USER ?@'%' IDENTIFIED BY ? REQUIRE ${requireTls ? 'SSL' : 'NONE'}${limits}`, { replacements: [user, password] });
}

export async function bootstrapMysql(admin: Sequelize, plan: BootstrapPlan): Promise<BootstrapReport> {
  const database = quoteIdentifier(plan.database);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await ensureUser(admin, plan.app, plan.requireTls);
  await admin.query(`GRANT ${APP_PRIVILEGES} ON ${grantDatabase(plan.database)}.* TO ?@'%'`, { replacements: [plan.app.user] });
  const report = [
    `database ${plan.database}: ready`,
    `user ${plan.app.user}: ready, with privileges on ${plan.database} only${plan.requireTls ? ', TLS required' : ''}`,
  ];
  if (plan.exporter) {
    await ensureUser(admin, plan.exporter, plan.requireTls, ` WITH MAX_USER_CONNECTIONS ${EXPORTER_CONNECTIONS}`);
    for (const grant of EXPORTER_GRANTS) await admin.query(`GRANT ${grant} TO ?@'%'`, { replacements: [plan.exporter.user] });
    report.push(`user ${plan.exporter.user}: ready, for monitoring only (no access to the app's tables)`);
  }
  return report;
}
