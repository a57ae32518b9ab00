/** A GRANT's privileges and what they are on, as SHOW GRANTS prints it. */
export interface MysqlGrant {
  privileges: string[];
  on: string;
}

/**
 * What the app needs on its own database and nothing more: its data, the migrations (CREATE, ALTER,
 * INDEX, DROP, REFERENCES) and mysqldump's consistent backups (LOCK TABLES, SHOW VIEW, TRIGGER).
 * No privilege on any other database, none server-wide, no GRANT OPTION.
 */
const APP_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'INDEX', 'DROP', 'REFERENCES', 'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'SHOW VIEW', 'TRIGGER'];

/** mysqld_exporter's documented grants, with SELECT narrowed to performance_schema: it never reads the todos. */
export const EXPORTER_GRANTS: MysqlGrant[] = [
  { privileges: ['PROCESS', 'REPLICATION CLIENT'], on: '*.*' },
  { privileges: ['SELECT'], on: '`performance_schema`.*' },
];

export const quoteIdentifier = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/** In a GRANT's database name `_` and `%` are wildcards even between backticks: todobox_main would also grant todoboxXmain. */
const grantDatabase = (name: string): string => quoteIdentifier(name.replace(/[\\_%]/g, '\\$&'));

export const appGrant = (database: string): MysqlGrant => ({ privileges: APP_PRIVILEGES, on: `${grantDatabase(database)}.*` });
