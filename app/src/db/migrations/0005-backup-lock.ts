import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/**
 * The lease `todobox backup` takes, so that runs never overlap even when every host of a deployment
 * has the timer: one row per lock, whose holder renews its expiry while it works. Times are the
 * database server's clock in milliseconds, so hosts whose clocks differ still agree on expiry.
 */
export const up: Migration = async ({ context: queryInterface }) => {
  await queryInterface.createTable('backup_lock', {
    name: { type: DataTypes.STRING(64), primaryKey: true },
    holder: { type: DataTypes.STRING(64), allowNull: false },
    host: { type: DataTypes.STRING(255), allowNull: false },
    pid: { type: DataTypes.INTEGER, allowNull: false },
    acquired_at_ms: { type: DataTypes.BIGINT, allowNull: false },
    expires_at_ms: { type: DataTypes.BIGINT, allowNull: false },
  });
};

export const down: Migration = async ({ context: queryInterface }) => {
  await queryInterface.dropTable('backup_lock');
};
