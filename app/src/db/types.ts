import { DataTypes, Sequelize } from 'sequelize';

/**
 * Text longer than MySQL's 64 KB TEXT (rendered Markdown of a 10,000-character todo can exceed it).
 * MEDIUMTEXT exists only on MySQL; elsewhere TEXT is unbounded, and asking for "medium" makes
 * Sequelize print a warning.
 */
export function longText(sequelize: Sequelize) {
  return sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('medium') : DataTypes.TEXT;
}
