import { DatabaseError, QueryTypes, type Sequelize } from 'sequelize';

/** MySQL's error for SHOW GRANTS of an account that does not exist. */
const ER_NONEXISTING_GRANT = 1141;

/** One line of SHOW GRANTS: privileges on something, or (with no `on`) a role. */
export interface GrantLine {
  privileges: string[];
  on?: string;
  grantOption: boolean;
}

function parse(line: string): GrantLine {
  const grantOption = / WITH GRANT OPTION/.test(line);
  const privileges = /^GRANT (.+?) ON (.+?) TO /.exec(line);
  if (privileges) return { privileges: privileges[1].split(', '), on: privileges[2], grantOption };
  return { privileges: [/^GRANT (.+?) TO /.exec(line)?.[1] ?? line], grantOption };
}

/** The grants of `user`@'%', or nothing when that account does not exist yet. */
export async function grantsOf(admin: Sequelize, user: string): Promise<GrantLine[] | undefined> {
  try {
    return await showGrants(admin, "SHOW GRANTS FOR ?@'%'", [user]);
  } catch (error) {
    if (error instanceof DatabaseError && (error.original as { errno?: number }).errno === ER_NONEXISTING_GRANT) return undefined;
    throw error;
  }
}

/** The grants of the account the administrator is logged in as. */
export const ownGrants = (admin: Sequelize): Promise<GrantLine[]> => showGrants(admin, 'SHOW GRANTS', []);

async function showGrants(admin: Sequelize, sql: string, replacements: string[]): Promise<GrantLine[]> {
  const rows = await admin.query<Record<string, string>>(sql, { replacements, type: QueryTypes.SELECT });
  // Not every line is a GRANT: MariaDB adds SET DEFAULT ROLE.
  return rows.map((row) => Object.values(row)[0]).filter((line) => line.startsWith('GRANT ')).map(parse);
}
