import { QueryTypes, type Sequelize } from 'sequelize';
import { ConfigError, type DatabaseCredentials } from '../../config';
import { withServerLock } from '../serverLock';
import type { BootstrapPlan, BootstrapReport } from './plan';
import { administratorProblems } from './postgresAdministrator';
import { existingRoleProblems } from './postgresHoldings';
import { scramVerifier } from './scramVerifier';

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Every instance of a fleet may bootstrap as it boots: one at a time, so no CREATE meets another's. */
const BOOTSTRAP_LOCK = 'todobox-db-bootstrap';

async function exists(admin: Sequelize, sql: string, name: string): Promise<boolean> {
  return (await admin.query(sql, { replacements: { name }, type: QueryTypes.SELECT })).length > 0;
}

/** Creates the role, or sets an existing one's password to the plan's (sent as its verifier only): safe to repeat. */
async function ensureRole(admin: Sequelize, { user, password }: DatabaseCredentials): Promise<void> {
  const role = quoteIdentifier(user);
  const found = await exists(admin, 'SELECT 1 FROM pg_roles WHERE rolname = :name', user);
  await admin.query(found ? `ALTER ROLE ${role} WITH LOGIN PASSWORD :password` : `CREATE ROLE ${role} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :password`, {
    replacements: { password: scramVerifier(password) },
  });
}

/**
 * `server` is connected to the maintenance database, `onAppDatabase` connects to the app's. The app's
 * user owns its database (on PostgreSQL 15 and later that makes it the owner of the public schema) and
 * the tables an earlier run made as the administrator; other roles lose the default CONNECT.
 */
export async function bootstrapPostgres(
  server: Sequelize,
  onAppDatabase: () => Sequelize,
  administrator: string,
  plan: BootstrapPlan,
): Promise<BootstrapReport> {
  const app = quoteIdentifier(plan.app.user);
  const database = quoteIdentifier(plan.database);
  return withServerLock(server, BOOTSTRAP_LOCK, async () => {
    const problems = [...(await administratorProblems(server, administrator, plan)), ...(await existingRoleProblems(server, plan))];
    if (problems.length > 0) throw new ConfigError(problems);
    await ensureRole(server, plan.app);
    // A role may hand its objects to another only as a member of it (RDS's master user is no superuser).
    await server.query(`GRANT ${app} TO CURRENT_USER`);
    if (!(await exists(server, 'SELECT 1 FROM pg_database WHERE datname = :name', plan.database))) {
      await server.query(`CREATE DATABASE ${database} OWNER ${app} ENCODING 'UTF8'`);
    }
    await server.query(`ALTER DATABASE ${database} OWNER TO ${app}`);
    await server.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
    const report = [`database ${plan.database}: ready, owned by ${plan.app.user}, closed to other roles`];
    const onDatabase = onAppDatabase();
    try {
      const tables = await onDatabase.query<{ name: string }>(
        "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user",
        { type: QueryTypes.SELECT },
      );
      for (const table of tables) await onDatabase.query(`ALTER TABLE public.${table.name} OWNER TO ${app}`);
      if (tables.length > 0) report.push(`${tables.length} table(s) handed over to ${plan.app.user}`);
    } finally {
      await onDatabase.close();
    }
    report.push(`user ${plan.app.user}: ready, with no role beyond its own database`);
    // No statement makes a role connect over TLS only: PostgreSQL decides that per connection, from pg_hba.conf.
    if (plan.requireTls) report.push('TLS: PostgreSQL cannot require it of a user; enforce it on the server (hostssl lines in pg_hba.conf, or rds.force_ssl = 1 on RDS)');
    if (plan.exporter) {
      await ensureRole(server, plan.exporter);
      await server.query(`GRANT pg_monitor TO ${quoteIdentifier(plan.exporter.user)}`);
      await server.query(`GRANT CONNECT ON DATABASE ${database} TO ${quoteIdentifier(plan.exporter.user)}`);
      report.push(`user ${plan.exporter.user}: ready, for monitoring only (pg_monitor, no access to the app's tables)`);
    }
    return report;
  });
}
