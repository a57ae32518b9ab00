import type { InferAttributes } from 'sequelize';
import type { Todo } from '../db';
import type { RelativeDay } from './schemas';
import type { TodoStatus } from './statuses';

/** The lists a user can browse; each is paginated and searchable. */
export const TODO_LISTS = ['today', 'tomorrow', 'upcoming', 'undone', 'done', 'kiv'] as const;
export type TodoList = (typeof TODO_LISTS)[number];

/**
 * A todo as every caller sees it, pages and JSON alike: the stored todo without its owner. The
 * model (db/models/todo.ts) is the one place its fields are written out.
 */
export type TodoView = Omit<InferAttributes<Todo>, 'userId'>;

export interface TodoHistoryEntry {
  fromStatus: TodoStatus | null;
  toStatus: TodoStatus;
  fromDate: string | null;
  toDate: string | null;
  created: Date;
}

/**
 * A new todo as a caller gives it. Nothing is trusted: the service validates every field
 * (newTodoSchema). The todo is planned for `scheduledFor`, or the relative `day`, or else today.
 */
export interface NewTodo {
  title: string;
  details?: string;
  /** YYYY-MM-DD */
  scheduledFor?: string;
  day?: RelativeDay;
}

/**
 * A change to a stored todo: any of its fields and a status, all saved together or not at all. A
 * re-assignment (`status: 'reassign'`) moves the todo to `scheduledFor` (or the relative `day`).
 */
export interface TodoChanges extends Partial<NewTodo> {
  status?: TodoStatus;
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
  create(userId: number, input: NewTodo): Promise<TodoView>;
  /** Edits fields and moves to a status in one transaction; a rejected change leaves the todo untouched. */
  applyChanges(userId: number, id: number, changes: TodoChanges): Promise<TodoView>;
  /** Replaces the todo's title, details and day, as a new todo takes them (the edit form). */
  edit(userId: number, id: number, fields: NewTodo): Promise<TodoView>;
  /** Moves a todo to a status (required), recording the change; `reassign` needs the new day. */
  changeStatus(userId: number, id: number, status: TodoStatus, newDay?: string): Promise<TodoView>;
  /** Deletes the todo and answers what it was. */
  delete(userId: number, id: number): Promise<TodoView>;
  dashboard(userId: number, today?: string): Promise<DashboardCounts>;
  countForUser(userId: number): Promise<number>;
}
