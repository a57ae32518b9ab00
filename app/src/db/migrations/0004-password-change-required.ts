import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/** Set with a temporary password an administrator chose: the user must choose their own at next login. */
export const up: Migration = async ({ context: queryInterface }) => {
  await queryInterface.addColumn('users', 'must_change_password', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
};

export const down: Migration = async ({ context: queryInterface }) => {
  await queryInterface.removeColumn('users', 'must_change_password');
};
