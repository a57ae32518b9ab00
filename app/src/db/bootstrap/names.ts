import type { DatabaseDialect } from '../../config';

export type ServerDialect = Exclude<DatabaseDialect, 'sqlite'>;

/** MySQL's identifiers are at most 64 characters, PostgreSQL's 63 bytes (longer ones it cuts short). */
const LONGEST_DATABASE_NAME: Record<ServerDialect, number> = { mysql: 64, postgres: 63 };

/**
 * Databases a server, or a managed database's provider, keeps for itself: the app's user granted on
 * one, or made its owner, would administer the server. Compared regardless of case, as MySQL does on
 * a case-insensitive file system and always for information_schema.
 */
const SYSTEM_DATABASES: Record<ServerDialect, string[]> = {
  mysql: ['mysql', 'sys', 'performance_schema', 'information_schema', 'rdsadmin'],
  postgres: ['postgres', 'template0', 'template1', 'rdsadmin', 'azure_maintenance', 'azure_sys', 'cloudsqladmin'],
};

/**
 * Accounts servers and managed databases make for their administrators and themselves: db:bootstrap
 * would set the password of one or, on MySQL, add a root@'%' beside root@localhost. MySQL's with a dot
 * in the name (mysql.sys, mariadb.sys, mysql.session) already fail DB_USER's rule.
 */
const ADMINISTRATOR_ACCOUNTS: Record<ServerDialect, string[]> = {
  mysql: ['root', 'mysql', 'rdsadmin', 'rdsrepladmin', 'azure_superuser'],
  postgres: ['postgres', 'rdsadmin', 'rds_superuser', 'rds_replication', 'rds_iam', 'rds_password', 'azure_pg_admin', 'azuresu', 'cloudsqladmin', 'cloudsqlsuperuser', 'public'],
};

/** PostgreSQL's own roles (pg_monitor, pg_read_all_data, ...). */
const POSTGRES_RESERVED_PREFIX = 'pg_';

/** Quoting alone keeps a name out of the SQL, not its wildcards out of a GRANT: only these characters are taken. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isOneOf = (name: string, names: string[]): boolean => names.includes(name.toLowerCase());

/** Why db:bootstrap may not create, grant on or hand over the database `name`, if it may not. */
export function databaseNameProblem(dialect: ServerDialect, name: string): string | undefined {
  const longest = LONGEST_DATABASE_NAME[dialect];
  if (!PLAIN_NAME.test(name) || name.length > longest) {
    return `DB_NAME "${name}" must be 1 to ${longest} letters, digits or underscores, not starting with a digit`;
  }
  if (isOneOf(name, SYSTEM_DATABASES[dialect])) return `DB_NAME "${name}" is one of the server's own databases: give the app a database of its own`;
  return undefined;
}

/** Why db:bootstrap may not create, or set the password of, the user `name` (the setting that names it), if it may not. */
export function userNameProblem(dialect: ServerDialect, setting: string, name: string): string | undefined {
  const reserved = dialect === 'postgres' && name.toLowerCase().startsWith(POSTGRES_RESERVED_PREFIX);
  if (reserved || isOneOf(name, ADMINISTRATOR_ACCOUNTS[dialect])) {
    return `${setting} "${name}" is an administrator's account or one of the server's own: give the app a user of its own`;
  }
  return undefined;
}
