import { longText } from '../types';
import { DataTypes, Model, Sequelize } from 'sequelize';

/** Login sessions, as the database session store (auth/databaseSessionStore.ts) keeps them. */
export class Session extends Model {}

export function initSession(sequelize: Sequelize): typeof Session {
  Session.init(
    {
      sid: { type: DataTypes.STRING(64), primaryKey: true },
      expires: { type: DataTypes.DATE(3), allowNull: true },
      data: { type: longText(sequelize), allowNull: true },
      created: DataTypes.DATE(3),
      modified: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'sessions', underscored: true, createdAt: 'created', updatedAt: 'modified' },
  );
  return Session;
}
