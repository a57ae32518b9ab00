import type { Sequelize } from 'sequelize';
import { type GrantLine, ownGrants } from './mysqlShowGrants';

const ALL = 'ALL PRIVILEGES';

/** CREATE USER needs that privilege server-wide, or INSERT on the mysql schema. */
const mayCreateUsers = ({ privileges, on }: GrantLine): boolean =>
  (on === '*.*' && privileges.some((privilege) => [ALL, 'CREATE USER', 'INSERT'].includes(privilege))) ||
  (on === '`mysql`.*' && privileges.some((privilege) => [ALL, 'INSERT'].includes(privilege)));

/**
 * What the administrator lacks of what db:bootstrap does, told before its first statement rather than
 * by the server at the GRANT, with the database and user already made. Privileges that come through
 * a role SHOW GRANTS does not list, so an administrator with roles is left for the server to judge.
 */
export async function administratorProblems(admin: Sequelize, administrator: string): Promise<string[]> {
  const grants = await ownGrants(admin);
  if (grants.some((grant) => grant.on === undefined)) return [];
  const problems: string[] = [];
  if (!grants.some((grant) => grant.grantOption)) {
    problems.push(`DB_ADMIN_USER "${administrator}" has no GRANT OPTION, which db:bootstrap needs to grant the users it creates their privileges`);
  }
  if (!grants.some(mayCreateUsers)) problems.push(`DB_ADMIN_USER "${administrator}" has no CREATE USER, which db:bootstrap needs to create the users`);
  return problems;
}
