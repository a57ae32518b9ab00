import { QueryTypes, type Sequelize } from 'sequelize';
import type { BootstrapPlan } from './plan';

/** The role attributes that reach beyond a role's own database, as ALTER ROLE names them. */
const ATTRIBUTES = { superuser: 'SUPERUSER', createdb: 'CREATEDB', createrole: 'CREATEROLE', replication: 'REPLICATION', bypassrls: 'BYPASSRLS' };

type Holdings = Record<keyof typeof ATTRIBUTES, boolean> & { memberOf: string[]; owns: string[] };

const HOLDINGS = `SELECT rolsuper AS superuser, rolcreatedb AS createdb, rolcreaterole AS createrole, rolreplication AS replication, rolbypassrls AS bypassrls,
  ARRAY(SELECT pg_get_userbyid(roleid) FROM pg_auth_members WHERE member = pg_roles.oid ORDER BY 1)::text[] AS "memberOf",
  ARRAY(SELECT datname FROM pg_database WHERE datdba = pg_roles.oid AND datname <> :database ORDER BY 1)::text[] AS owns
  FROM pg_roles WHERE rolname = :name`;

/** What the existing role `name` holds beyond its own database and the `planned` memberships, in ALTER ROLE's and GRANT's words. */
async function beyondPlan(server: Sequelize, name: string, database: string, planned: string[]): Promise<string[]> {
  const [role] = await server.query<Holdings>(HOLDINGS, { replacements: { name, database }, type: QueryTypes.SELECT });
  if (!role) return [];
  return [
    ...Object.entries(ATTRIBUTES).flatMap(([attribute, keyword]) => (role[attribute as keyof typeof ATTRIBUTES] ? [keyword] : [])),
    ...role.memberOf.filter((group) => !planned.includes(group)).map((group) => `membership in ${group}`),
    ...role.owns.map((other) => `ownership of database ${other}`),
  ];
}

/**
 * An existing role holding more than the plan gives is refused, not stripped: it may be a person's
 * or another program's role named by mistake, and what ALTER ROLE or REVOKE took could not be given
 * back. A role db:bootstrap made holds nothing more, so a rerun finds nothing to say.
 */
export async function existingRoleProblems(server: Sequelize, plan: BootstrapPlan): Promise<string[]> {
  const roles: Array<[setting: string, name: string, planned: string[]]> = [['DB_USER', plan.app.user, []]];
  if (plan.exporter) roles.push(['DB_EXPORTER_USER', plan.exporter.user, ['pg_monitor']]);
  const problems: string[] = [];
  for (const [setting, name, planned] of roles) {
    const extras = await beyondPlan(server, name, plan.database, planned);
    if (extras.length > 0) {
      problems.push(`${setting} "${name}" already exists and holds ${extras.join(', ')}, beyond what db:bootstrap gives it: take that back (ALTER ROLE, REVOKE), or give the app a user of its own`);
    }
  }
  return problems;
}
