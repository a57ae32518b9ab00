import { longText } from '../types';
import { CreationOptional, DataTypes, ForeignKey, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { TodoStatus } from './todoStatus';
import type { User } from './user';

export class Todo extends Model<InferAttributes<Todo>, InferCreationAttributes<Todo>> {
  declare id: CreationOptional<number>;
  declare userId: ForeignKey<User['id']>;
  declare title: string;
  declare details: string;
  /** Sanitized HTML rendered from `details` when it is saved, so lists never render Markdown. */
  declare detailsHtml: string;
  declare status: TodoStatus;
  /** Calendar day (YYYY-MM-DD) the todo is planned for. */
  declare scheduledFor: string;
  declare created: CreationOptional<Date>;
  declare modified: CreationOptional<Date>;
}

export function initTodo(sequelize: Sequelize): typeof Todo {
  Todo.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      title: { type: DataTypes.STRING(255), allowNull: false },
      details: { type: longText(sequelize), allowNull: false, defaultValue: '' },
      detailsHtml: { type: longText(sequelize), allowNull: false, defaultValue: '' },
      status: { type: DataTypes.STRING(16), allowNull: false },
      scheduledFor: { type: DataTypes.DATEONLY, allowNull: false },
      created: DataTypes.DATE(3),
      modified: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'todo', underscored: true, createdAt: 'created', updatedAt: 'modified' },
  );
  return Todo;
}
