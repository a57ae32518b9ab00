import { CreationOptional, DataTypes, ForeignKey, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { User } from './user';

/** A personal API token; only an HMAC of the secret is stored. */
export class ApiToken extends Model<InferAttributes<ApiToken>, InferCreationAttributes<ApiToken>> {
  declare id: CreationOptional<number>;
  declare userId: ForeignKey<User['id']>;
  declare name: string;
  declare tokenHash: string;
  /** The first characters of the token, shown so a user can tell tokens apart. */
  declare tokenPrefix: string;
  declare lastUsedAt: CreationOptional<Date | null>;
  declare created: CreationOptional<Date>;
}

export function initApiToken(sequelize: Sequelize): typeof ApiToken {
  ApiToken.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      name: { type: DataTypes.STRING(100), allowNull: false },
      tokenHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      tokenPrefix: { type: DataTypes.STRING(16), allowNull: false },
      lastUsedAt: { type: DataTypes.DATE(3), allowNull: true },
      created: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'api_token', underscored: true, createdAt: 'created', updatedAt: false },
  );
  return ApiToken;
}
