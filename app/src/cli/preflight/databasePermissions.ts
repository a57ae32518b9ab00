import fs from 'node:fs';
import { QueryTypes } from 'sequelize';
import type { Config } from '../../config';
import type { Database } from '../../db';
import { fail, pass, Verdict } from './types';

async function mysqlPermissions(db: Database): Promise<Verdict> {
  const [{ account }] = await db.sequelize.query<{ account: string }>('SELECT CURRENT_USER() AS account', {
    type: QueryTypes.SELECT,
  });
  if (/^root@/i.test(account)) return fail(`the app connects as ${account}: create a user with rights on its own database only`);
  const grants = await db.sequelize.query<Record<string, string>>('SHOW GRANTS', { type: QueryTypes.SELECT });
  const global = grants
    .map((row) => Object.values(row)[0])
    .map((grant) => /^GRANT (.+?) ON \*\.\* TO/i.exec(grant)?.[1])
    .filter((privileges): privileges is string => Boolean(privileges) && privileges !== 'USAGE');
  if (global.length) return fail(`${account} has privileges on every database (${global.join('; ')})`);
  return pass(`${account} has no global privileges`);
}

async function postgresPermissions(db: Database): Promise<Verdict> {
  const [role] = await db.sequelize.query<{ account: string; superuser: boolean }>(
    'SELECT rolname AS account, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
    { type: QueryTypes.SELECT },
  );
  if (role.superuser) return fail(`the app connects as superuser ${role.account}: create a role without SUPERUSER`);
  return pass(`${role.account} is not a superuser`);
}

function sqliteFilePermissions(storage: string): Verdict {
  if (storage === ':memory:') return pass('in-memory SQLite database: no file');
  if (!fs.existsSync(storage)) return fail(`${storage} does not exist yet: run "todobox db:migrate"`);
  const mode = fs.statSync(storage).mode & 0o777;
  const octal = `0${mode.toString(8)}`;
  if (mode & 0o002) return fail(`${storage} is world-writable (mode ${octal}): chmod 600 it`);
  return pass(`${storage} is not world-writable (mode ${octal})`);
}

/** The guide's "Review database user permissions": least privilege for the account the app uses. */
export async function databasePermissions(config: Config, db: Database): Promise<Verdict> {
  switch (config.database.dialect) {
    case 'mysql':
      return mysqlPermissions(db);
    case 'postgres':
      return postgresPermissions(db);
    case 'sqlite':
      return sqliteFilePermissions(config.database.storage);
  }
}
