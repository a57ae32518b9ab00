import { DatabaseError, QueryTypes, type Sequelize } from 'sequelize';
import { appGrant, EXPORTER_GRANTS, type MysqlGrant } from './mysqlPrivileges';
import type { BootstrapPlan } from './plan';

/** MySQL's error for SHOW GRANTS of an account that does not exist. */
const ER_NONEXISTING_GRANT = 1141;

/** Every account holds USAGE, privileges or none. */
const USAGE = 'USAGE';
/** MariaDB 10.5 and later print REPLICATION CLIENT under its new name. */
const ALIASES: Record<string, string> = { 'BINLOG MONITOR': 'REPLICATION CLIENT' };

/** The account's SHOW GRANTS lines, or nothing when it does not exist yet. */
async function grantsOf(admin: Sequelize, user: string): Promise<string[] | undefined> {
  try {
    const rows = await admin.query<Record<string, string>>("SHOW GRANTS FOR ?@'%'", { replacements: [user], type: QueryTypes.SELECT });
    return rows.map((row) => Object.values(row)[0]);
  } catch (error) {
    if (error instanceof DatabaseError && (error.original as { errno?: number }).errno === ER_NONEXISTING_GRANT) return undefined;
    throw error;
  }
}

/** What one SHOW GRANTS line gives beyond `planned`, as the operator would revoke it; nothing if it gives no more. */
function beyondPlan(line: string, planned: MysqlGrant[]): string | undefined {
  const privilegeGrant = /^GRANT (.+?) ON (.+?) TO /.exec(line);
  if (!privilegeGrant) return `the role ${/^GRANT (.+?) TO /.exec(line)?.[1] ?? line}`;
  const [, privileges, on] = privilegeGrant;
  const grantOption = / WITH GRANT OPTION/.test(line);
  const permitted = [USAGE, ...planned.filter((grant) => grant.on === on).flatMap((grant) => grant.privileges)];
  const withinPlan = privileges.split(', ').every((privilege) => permitted.includes(ALIASES[privilege] ?? privilege));
  return withinPlan && !grantOption ? undefined : `${privileges} ON ${on}${grantOption ? ' WITH GRANT OPTION' : ''}`;
}

/**
 * An existing user holding more than the plan grants is refused, not stripped: it may be a person's
 * or another program's account named by mistake, and what a REVOKE took could not be given back. A
 * user db:bootstrap made holds the plan's grants alone, so a rerun finds nothing to say.
 */
export async function existingUserProblems(admin: Sequelize, plan: BootstrapPlan): Promise<string[]> {
  const users: Array<[setting: string, user: string, planned: MysqlGrant[]]> = [['DB_USER', plan.app.user, [appGrant(plan.database)]]];
  if (plan.exporter) users.push(['DB_EXPORTER_USER', plan.exporter.user, EXPORTER_GRANTS]);
  const problems: string[] = [];
  for (const [setting, user, planned] of users) {
    const extras = ((await grantsOf(admin, user)) ?? []).map((line) => beyondPlan(line, planned)).filter((extra) => extra !== undefined);
    if (extras.length > 0) {
      problems.push(
        `${setting} "${user}" already exists and holds ${extras.join('; ')}, beyond what db:bootstrap grants it: revoke that, or give the app a user of its own`,
      );
    }
  }
  return problems;
}
