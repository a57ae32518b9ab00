import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/**
 * MySQL's DATETIME keeps whole seconds, while SQLite and PostgreSQL keep milliseconds. Lists ordered
 * by when a todo last changed would otherwise tie on MySQL for changes within the same second.
 */
const TIMESTAMP_COLUMNS: Array<{ table: string; column: string; allowNull: boolean }> = [
  { table: 'users', column: 'last_login_at', allowNull: true },
  { table: 'users', column: 'created', allowNull: false },
  { table: 'users', column: 'modified', allowNull: false },
  { table: 'todo', column: 'created', allowNull: false },
  { table: 'todo', column: 'modified', allowNull: false },
  { table: 'todo_history', column: 'created', allowNull: false },
  { table: 'api_token', column: 'last_used_at', allowNull: true },
  { table: 'api_token', column: 'created', allowNull: false },
  { table: 'sessions', column: 'expires', allowNull: true },
  { table: 'sessions', column: 'created', allowNull: false },
  { table: 'sessions', column: 'modified', allowNull: false },
];

export const up: Migration = async ({ context: queryInterface }) => {
  if (queryInterface.sequelize.getDialect() !== 'mysql') return;
  for (const { table, column, allowNull } of TIMESTAMP_COLUMNS) {
    await queryInterface.changeColumn(table, column, { type: DataTypes.DATE(3), allowNull });
  }
};

export const down: Migration = async ({ context: queryInterface }) => {
  if (queryInterface.sequelize.getDialect() !== 'mysql') return;
  for (const { table, column, allowNull } of TIMESTAMP_COLUMNS) {
    await queryInterface.changeColumn(table, column, { type: DataTypes.DATE, allowNull });
  }
};
