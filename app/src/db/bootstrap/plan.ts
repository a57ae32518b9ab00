import { type Config, ConfigError, DATABASE_USER_NAME, DATABASE_USER_NAME_RULE, type DatabaseCredentials } from '../../config';
import { databaseNameProblem, userNameProblem } from './names';

/** What `todobox db:bootstrap` makes sure of: the app's database, its own user, and optionally the exporter's. */
export interface BootstrapPlan {
  database: string;
  app: DatabaseCredentials;
  exporter?: DatabaseCredentials;
  /** The app talks TLS to the server, so its user may connect over TLS only (on PostgreSQL, the server's to enforce). */
  requireTls: boolean;
}

/** One line per thing made sure of, for the operator; never a password. */
export type BootstrapReport = string[];

/** The plan for `database`'s settings, or every reason it cannot be carried out safely; nothing is asked of the server. */
export function planBootstrap(database: Config['database']): { plan: BootstrapPlan; administrator: DatabaseCredentials } {
  const problems: string[] = [];
  const { administrator, exporter } = database;
  if (database.dialect === 'sqlite') {
    problems.push('db:bootstrap creates database users on MySQL/MariaDB and PostgreSQL; SQLite (DATABASE_DEFAULT=sqlite) has none');
  } else {
    const nameProblems = [
      databaseNameProblem(database.dialect, database.name),
      userNameProblem(database.dialect, 'DB_USER', database.user),
      exporter && userNameProblem(database.dialect, 'DB_EXPORTER_USER', exporter.user),
    ];
    problems.push(...nameProblems.filter((problem) => problem !== undefined));
  }
  if (!administrator) problems.push('DB_ADMIN_USER and DB_ADMIN_PASSWORD must name the administrator that creates the users (on RDS, the master user)');
  if (!DATABASE_USER_NAME.test(database.user)) problems.push(`DB_USER "${database.user}" ${DATABASE_USER_NAME_RULE}`);
  if (database.password === '') problems.push("DB_PW must be set: it becomes the app user's password");
  if (administrator && administrator.user === database.user) problems.push('DB_USER must name the app\'s own user, not the administrator (DB_ADMIN_USER)');
  if (exporter && [database.user, administrator?.user].includes(exporter.user)) problems.push('DB_EXPORTER_USER must be a user of its own, neither DB_USER nor DB_ADMIN_USER');
  if (problems.length > 0 || !administrator) throw new ConfigError(problems);
  return {
    administrator,
    plan: { database: database.name, app: { user: database.user, password: database.password }, exporter, requireTls: database.tls.mode !== 'off' },
  };
}
