import type { Sequelize } from 'sequelize';
import { withServerLock } from './serverLock';

/** The lock's name: MySQL's named locks are server-wide, so it names the database too (64 characters at most). */
function lockName(database: string): string {
  return `todobox-migrations:${database}`.slice(0, 64);
}

/** Runs `work` (the migrations) one instance at a time however many start together (see withServerLock). */
export function withMigrationLock<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  return withServerLock(sequelize, lockName(sequelize.config.database), work);
}
