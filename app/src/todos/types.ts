import type { TodoStatus } from './statuses';

/** The lists a user can browse; each is paginated and searchable. */
export const TODO_LISTS = ['today', 'tomorrow', 'upcoming', 'undone', 'done', 'kiv'] as const;
export type TodoList = (typeof TODO_LISTS)[number];

export interface TodoView {
  id: number;
  title: string;
  /** The Markdown source, as the user wrote it. */
  details: string;
  /** Sanitized HTML rendered from `details` when the todo was saved. */
  detailsHtml: string;
  status: TodoStatus;
  /** YYYY-MM-DD */
  scheduledFor: string;
  created: Date;
  modified: Date;
}

export interface TodoHistoryEntry {
  fromStatus: TodoStatus | null;
  toStatus: TodoStatus;
  fromDate: string | null;
  toDate: string | null;
  created: Date;
}

/** Input for creating or editing a todo, already validated by `todoInputSchema`. */
export interface TodoInput {
  title: string;
  details: string;
  /** YYYY-MM-DD */
  scheduledFor: string;
}

/** A change to a stored todo: any of its fields and a status, all saved together or not at all. */
export interface TodoChanges extends Partial<TodoInput> {
  status?: TodoStatus;
  /**
   * YYYY-MM-DD, with status `reassign`: the day the todo moves to, recorded in its history. A caller
   * may give that day as `scheduledFor` instead; errors about it then name `scheduledFor`.
   */
  toDate?: string;
}

/** A todo as lists show it: without its details, which a list page never reads. */
export type TodoSummary = Omit<TodoView, 'details' | 'detailsHtml'>;

export interface TodoPage<Item = TodoView> {
  items: Item[];
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

export interface ListQuery {
  list?: TodoList;
  search?: string;
  page?: number;
  pageSize?: number;
  status?: TodoStatus;
}

export interface StatusCounts {
  total: number;
  byStatus: Record<TodoStatus, number>;
}

export interface DashboardCounts {
  today: StatusCounts;
  week: StatusCounts;
  month: StatusCounts;
}

/**
 * Every operation takes the acting user's id and only ever touches that user's todos: a todo of
 * another user is reported as NotFoundError (404), exactly like one that does not exist.
 */
export interface TodoService {
  list(userId: number, query: ListQuery): Promise<TodoPage>;
  /** The same page as list, each todo without its details. */
  listSummaries(userId: number, query: ListQuery): Promise<TodoPage<TodoSummary>>;
  get(userId: number, id: number): Promise<TodoView>;
  history(userId: number, id: number): Promise<TodoHistoryEntry[]>;
  create(userId: number, input: TodoInput): Promise<TodoView>;
  /** Edits fields and moves to a status in one transaction; a rejected change leaves the todo untouched. */
  applyChanges(userId: number, id: number, changes: TodoChanges): Promise<TodoView>;
  /** Moves a todo to a status, recording the change; `reassign` needs `toDate`, the new day. */
  changeStatus(userId: number, id: number, status: TodoStatus, toDate?: string): Promise<TodoView>;
  delete(userId: number, id: number): Promise<void>;
  dashboard(userId: number, today?: string): Promise<DashboardCounts>;
  countForUser(userId: number): Promise<number>;
}
