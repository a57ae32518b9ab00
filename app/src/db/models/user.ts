import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare email: string;
  declare name: string;
  declare passwordHash: string;
  declare isAdmin: CreationOptional<boolean>;
  declare isBlocked: CreationOptional<boolean>;
  /** Bumped when a password changes or a user is blocked: sessions holding an older value end. */
  declare authVersion: CreationOptional<number>;
  /** Moves on with every change to the user or their todos (see cache/userVersions.ts). */
  declare dataVersion: CreationOptional<number>;
  /** Set with a temporary password from an administrator: every page leads to the password form until it is changed. */
  declare mustChangePassword: CreationOptional<boolean>;
  declare lastLoginAt: CreationOptional<Date | null>;
  declare created: CreationOptional<Date>;
  declare modified: CreationOptional<Date>;
}

export function initUser(sequelize: Sequelize): typeof User {
  User.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      email: { type: DataTypes.STRING(254), allowNull: false, unique: true },
      name: { type: DataTypes.STRING(100), allowNull: false },
      passwordHash: { type: DataTypes.STRING(255), allowNull: false },
      isAdmin: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      isBlocked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      authVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      dataVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      mustChangePassword: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      lastLoginAt: { type: DataTypes.DATE(3), allowNull: true },
      created: DataTypes.DATE(3),
      modified: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'users', underscored: true, createdAt: 'created', updatedAt: 'modified' },
  );
  return User;
}
