export { renderMarkdown } from './markdown';
export { todoRoutes } from './routes';
export { MAX_PAGE, SEARCH_MAX_LENGTH, dayField, detailsField, titleField } from './schemas';
export { createTodoService } from './service';
export { STATUS_LABELS, TODO_STATUSES } from './statuses';
export type { TodoStatus } from './statuses';
export { TODO_LISTS } from './types';
export type { TodoHistoryEntry, TodoPage, TodoService, TodoView } from './types';
