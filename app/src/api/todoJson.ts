import type { TodoHistoryEntry, TodoPage, TodoView } from '../todos';

/** The API's representation of a todo: the stable shape scripts depend on (see docs/openapi.yaml). */
export function todoJson(todo: TodoView) {
  return {
    id: todo.id,
    title: todo.title,
    details: todo.details,
    detailsHtml: todo.detailsHtml,
    status: todo.status,
    scheduledFor: todo.scheduledFor,
    created: todo.created,
    modified: todo.modified,
  };
}

export function todoPageJson(page: TodoPage) {
  return {
    items: page.items.map(todoJson),
    page: page.page,
    pageSize: page.pageSize,
    total: page.total,
    totalPages: page.totalPages,
  };
}

export function todoWithHistoryJson(todo: TodoView, history: TodoHistoryEntry[]) {
  return {
    ...todoJson(todo),
    history: history.map((entry) => ({
      fromStatus: entry.fromStatus,
      toStatus: entry.toStatus,
      fromDate: entry.fromDate,
      toDate: entry.toDate,
      created: entry.created,
    })),
  };
}
