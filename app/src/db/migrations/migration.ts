import type { QueryInterface } from 'sequelize';
import type { MigrationFn } from 'umzug';

/** One schema change, applied by the migrator in the order of the migrations' names. */
export type Migration = MigrationFn<QueryInterface>;
