export { Database, createDatabase } from './database';
export { insertReturningId } from './insertReturningId';
export { MigrationStatus, migrateUp, migrationStatus } from './migrator';
export type { Todo, User } from './models/index';
export { booleanOf, dayOf, dayOrNullOf, timestampOf, timestampParameter } from './rowValues';
export { TODO_STATUSES } from './models/todoStatus';
export type { TodoStatus } from './models/todoStatus';
export { bootstrapDatabaseUsers } from './bootstrap';
