import type { RunnableMigration } from 'umzug';
import type { QueryInterface } from 'sequelize';
import * as initialSchema from './0001-initial-schema';
import * as millisecondTimestamps from './0002-millisecond-timestamps';
import * as userDataVersion from './0003-user-data-version';
import * as passwordChangeRequired from './0004-password-change-required';
import * as backupLock from './0005-backup-lock';

/** Every migration, oldest first. A new one is appended here and never edited once released. */
export const MIGRATIONS: Array<RunnableMigration<QueryInterface>> = [
  { name: '0001-initial-schema', ...initialSchema },
  { name: '0002-millisecond-timestamps', ...millisecondTimestamps },
  { name: '0003-user-data-version', ...userDataVersion },
  { name: '0004-password-change-required', ...passwordChangeRequired },
  { name: '0005-backup-lock', ...backupLock },
];
