import { QueryTypes, type Sequelize } from 'sequelize';
import type { BootstrapPlan } from './plan';

interface Abilities {
  superuser: boolean;
  createRole: boolean;
  createDatabase: boolean;
  /** The database's owner, if it exists, and whether the administrator may act as that owner. */
  owner: string | null;
  actsAsOwner: boolean | null;
}

const ABILITIES = `SELECT rolsuper AS superuser, rolcreaterole AS "createRole", rolcreatedb AS "createDatabase",
  (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :database) AS owner,
  (SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database WHERE datname = :database) AS "actsAsOwner"
  FROM pg_roles WHERE rolname = current_user`;

/**
 * What the administrator lacks of what db:bootstrap does, told before its first statement rather than
 * by the server halfway, with the roles already made. A superuser lacks nothing.
 */
export async function administratorProblems(server: Sequelize, administrator: string, plan: BootstrapPlan): Promise<string[]> {
  const [can] = await server.query<Abilities>(ABILITIES, { replacements: { database: plan.database }, type: QueryTypes.SELECT });
  if (can.superuser) return [];
  const problems: string[] = [];
  const who = `DB_ADMIN_USER "${administrator}"`;
  if (!can.createRole) problems.push(`${who} has no CREATEROLE, which db:bootstrap needs to create the users and set their passwords`);
  // Handing a database to another owner takes CREATEDB as well, even when the database exists.
  if (!can.createDatabase) problems.push(`${who} has no CREATEDB, which db:bootstrap needs to create DB_NAME and make the app's user its owner`);
  if (can.owner !== null && can.owner !== plan.app.user && !can.actsAsOwner) {
    problems.push(`DB_NAME "${plan.database}" is owned by ${can.owner}, and ${who} is neither a superuser nor a member of ${can.owner}, so may not hand it to the app's user`);
  }
  return problems;
}
