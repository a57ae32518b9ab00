import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/**
 * A number that grows with every change to a user or their todos, in the same transaction: app
 * instances on several hosts key the pages they keep in memory by it, and read it with the user on
 * every request, so a change made anywhere is seen everywhere at once.
 */
export const up: Migration = async ({ context: queryInterface }) => {
  await queryInterface.addColumn('users', 'data_version', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
};

export const down: Migration = async ({ context: queryInterface }) => {
  await queryInterface.removeColumn('users', 'data_version');
};
