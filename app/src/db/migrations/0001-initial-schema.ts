import { longText } from '../types';
import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

const timestamps = {
  created: { type: DataTypes.DATE, allowNull: false },
  modified: { type: DataTypes.DATE, allowNull: false },
};

export const up: Migration = async ({ context: queryInterface }) => {
  await queryInterface.createTable('users', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    email: { type: DataTypes.STRING(254), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(100), allowNull: false },
    password_hash: { type: DataTypes.STRING(255), allowNull: false },
    is_admin: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    is_blocked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    auth_version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    last_login_at: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });

  await queryInterface.createTable('todo', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    user_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    title: { type: DataTypes.STRING(255), allowNull: false },
    details: { type: longText(queryInterface.sequelize), allowNull: false },
    details_html: { type: longText(queryInterface.sequelize), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    scheduled_for: { type: DataTypes.DATEONLY, allowNull: false },
    ...timestamps,
  });
  // The guide's index for "recently modified todos of a user".
  await queryInterface.addIndex('todo', ['user_id', 'modified'], { name: 'idx_user_modified' });
  // The day lists (today, tomorrow, upcoming, undone) filter a user's todos by day.
  await queryInterface.addIndex('todo', ['user_id', 'scheduled_for'], { name: 'idx_user_scheduled' });
  await queryInterface.addIndex('todo', ['user_id', 'status'], { name: 'idx_user_status' });

  await queryInterface.createTable('todo_history', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    todo_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'todo', key: 'id' },
      onDelete: 'CASCADE',
    },
    from_status: { type: DataTypes.STRING(16), allowNull: true },
    to_status: { type: DataTypes.STRING(16), allowNull: false },
    from_date: { type: DataTypes.DATEONLY, allowNull: true },
    to_date: { type: DataTypes.DATEONLY, allowNull: true },
    created: { type: DataTypes.DATE, allowNull: false },
  });
  await queryInterface.addIndex('todo_history', ['todo_id'], { name: 'idx_history_todo' });

  await queryInterface.createTable('api_token', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    user_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    name: { type: DataTypes.STRING(100), allowNull: false },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    token_prefix: { type: DataTypes.STRING(16), allowNull: false },
    last_used_at: { type: DataTypes.DATE, allowNull: true },
    created: { type: DataTypes.DATE, allowNull: false },
  });
  await queryInterface.addIndex('api_token', ['user_id'], { name: 'idx_token_user' });

  await queryInterface.createTable('sessions', {
    sid: { type: DataTypes.STRING(64), primaryKey: true },
    expires: { type: DataTypes.DATE, allowNull: true },
    data: { type: longText(queryInterface.sequelize), allowNull: true },
    ...timestamps,
  });
  await queryInterface.addIndex('sessions', ['expires'], { name: 'idx_sessions_expires' });
};

export const down: Migration = async ({ context: queryInterface }) => {
  await queryInterface.dropTable('sessions');
  await queryInterface.dropTable('api_token');
  await queryInterface.dropTable('todo_history');
  await queryInterface.dropTable('todo');
  await queryInterface.dropTable('users');
};
