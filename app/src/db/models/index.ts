import type { Sequelize } from 'sequelize';
import { initApiToken } from './apiToken';
import { initSession } from './session';
import { initTodo } from './todo';
import { initTodoHistory } from './todoHistory';
import { initUser } from './user';

export function initModels(sequelize: Sequelize) {
  const User = initUser(sequelize);
  const Todo = initTodo(sequelize);
  const TodoHistory = initTodoHistory(sequelize);
  const ApiToken = initApiToken(sequelize);
  const Session = initSession(sequelize);

  User.hasMany(Todo, { foreignKey: 'userId', onDelete: 'CASCADE' });
  Todo.belongsTo(User, { foreignKey: 'userId' });
  Todo.hasMany(TodoHistory, { foreignKey: 'todoId', as: 'history', onDelete: 'CASCADE' });
  TodoHistory.belongsTo(Todo, { foreignKey: 'todoId' });
  User.hasMany(ApiToken, { foreignKey: 'userId', onDelete: 'CASCADE' });
  ApiToken.belongsTo(User, { foreignKey: 'userId' });

  return { User, Todo, TodoHistory, ApiToken, Session };
}

export type Models = ReturnType<typeof initModels>;
export { User } from './user';
export { Todo } from './todo';
export { TodoHistory } from './todoHistory';
export { ApiToken } from './apiToken';
export { Session } from './session';
