import type { Sequelize } from 'sequelize';
import { appGrant, EXPORTER_GRANTS, type MysqlGrant } from './mysqlPrivileges';
import { type GrantLine, grantsOf } from './mysqlShowGrants';
import type { BootstrapPlan } from './plan';

/** Every account holds USAGE, privileges or none. */
const USAGE = 'USAGE';
/** MariaDB 10.5 and later print REPLICATION CLIENT under its new name. */
const ALIASES: Record<string, string> = { 'BINLOG MONITOR': 'REPLICATION CLIENT' };

/** What one grant gives beyond `planned`, as the operator would revoke it; nothing if it gives no more. */
function beyondPlan({ privileges, on, grantOption }: GrantLine, planned: MysqlGrant[]): string | undefined {
  if (on === undefined) return `the role ${privileges.join(', ')}`;
  const permitted = [USAGE, ...planned.filter((grant) => grant.on === on).flatMap((grant) => grant.privileges)];
  const withinPlan = privileges.every((privilege) => permitted.includes(ALIASES[privilege] ?? privilege));
  return withinPlan && !grantOption ? undefined : `${privileges.join(', ')} ON ${on}${grantOption ? ' WITH GRANT OPTION' : ''}`;
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
    const extras = ((await grantsOf(admin, user)) ?? []).map((grant) => beyondPlan(grant, planned)).filter((extra) => extra !== undefined);
    if (extras.length > 0) {
      problems.push(`${setting} "${user}" already exists and holds ${extras.join('; ')}, beyond what db:bootstrap grants it: revoke that, or give the app a user of its own`);
    }
  }
  return problems;
}
