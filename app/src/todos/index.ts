export { renderMarkdown } from './markdown';
export { todoRoutes } from './routes';
export { MAX_PAGE, SEARCH_MAX_LENGTH } from './schemas';
export { createTodoService } from './service';
export { STATUS_LABELS, TODO_STATUSES } from './statuses';
export type { TodoStatus } from './statuses';
export { TODO_LISTS } from './types';
export type { NewTodo, TodoChanges, TodoHistoryEntry, TodoPage, TodoService, TodoView } from './types';
