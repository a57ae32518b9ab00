import { CreationOptional, DataTypes, ForeignKey, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { TodoStatus } from './todoStatus';
import type { Todo } from './todo';

/** One status change of a todo; a re-assignment also records the day it moved from and to. */
export class TodoHistory extends Model<InferAttributes<TodoHistory>, InferCreationAttributes<TodoHistory>> {
  declare id: CreationOptional<number>;
  declare todoId: ForeignKey<Todo['id']>;
  declare fromStatus: TodoStatus | null;
  declare toStatus: TodoStatus;
  declare fromDate: string | null;
  declare toDate: string | null;
  declare created: CreationOptional<Date>;
}

export function initTodoHistory(sequelize: Sequelize): typeof TodoHistory {
  TodoHistory.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      fromStatus: { type: DataTypes.STRING(16), allowNull: true },
      toStatus: { type: DataTypes.STRING(16), allowNull: false },
      fromDate: { type: DataTypes.DATEONLY, allowNull: true },
      toDate: { type: DataTypes.DATEONLY, allowNull: true },
      created: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'todo_history', underscored: true, createdAt: 'created', updatedAt: false },
  );
  return TodoHistory;
}
