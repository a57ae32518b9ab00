import type { Sequelize } from 'sequelize';
import { ConfigError, type DatabaseCredentials } from '../../config';
import { administratorProblems } from './mysqlAdministrator';
import { existingUserProblems } from './mysqlHoldings';
import { appGrant, EXPORTER_GRANTS, type MysqlGrant, quoteIdentifier } from './mysqlPrivileges';
import type { BootstrapPlan, BootstrapReport } from './plan';

const EXPORTER_CONNECTIONS = 3;

const grant = (admin: Sequelize, user: string, { privileges, on }: MysqlGrant) =>
  admin.query(`GRANT ${privileges.join(', ')} ON ${on} TO ?@'%'`, { replacements: [user] });

/** Creates the user, or brings an existing one's password (and TLS requirement) to the plan's: safe to repeat. */
async function ensureUser(admin: Sequelize, { user, password }: DatabaseCredentials, requireTls: boolean, limits = ''): Promise<void> {
  await admin.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", { replacements: [user, password] });
  // REQUIRE NONE, not nothing, when TLS is off: ALTER USER keeps a requirement it is not told to change.
  await admin.query(`ALTER USER ?@'%' IDENTIFIED BY ? REQUIRE ${requireTls ? 'SSL' : 'NONE'}${limits}`, { replacements: [user, password] });
}

export async function bootstrapMysql(admin: Sequelize, administrator: string, plan: BootstrapPlan): Promise<BootstrapReport> {
  const lacking = await administratorProblems(admin, administrator);
  if (lacking.length > 0) throw new ConfigError(lacking);
  // Only now: reading another account's grants takes a privilege the administrator may lack.
  const heldBeyond = await existingUserProblems(admin, plan);
  if (heldBeyond.length > 0) throw new ConfigError(heldBeyond);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(plan.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await ensureUser(admin, plan.app, plan.requireTls);
  await grant(admin, plan.app.user, appGrant(plan.database));
  const report = [
    `database ${plan.database}: ready`,
    `user ${plan.app.user}: ready, with privileges on ${plan.database} only${plan.requireTls ? ', TLS required' : ''}`,
  ];
  if (plan.exporter) {
    await ensureUser(admin, plan.exporter, plan.requireTls, ` WITH MAX_USER_CONNECTIONS ${EXPORTER_CONNECTIONS}`);
    for (const exporterGrant of EXPORTER_GRANTS) await grant(admin, plan.exporter.user, exporterGrant);
    report.push(`user ${plan.exporter.user}: ready, for monitoring only (no access to the app's tables)`);
  }
  return report;
}
