import { formatDay } from '../shared';
import { buildDashboardChart } from './dashboardChart';
import { DETAILS_MAX_LENGTH, LIST_PAGE_SIZES, TITLE_MAX_LENGTH } from './schemas';
import { STATUS_LABELS, TODO_STATUSES, TodoStatus } from './statuses';
import type { TodoFormValues } from './todoForm';
import type { DashboardCounts, TodoHistoryEntry, TodoList, TodoPage, TodoSummary, TodoView } from './types';

/** What the todo pages show, made ready for their templates: routes only fetch and hand it on. */

const LIST_TITLES: Record<TodoList, string> = {
  today: 'Today',
  tomorrow: 'Tomorrow',
  upcoming: 'Upcoming',
  undone: 'Undone',
  done: 'Done',
  kiv: 'Kept in view',
};

const EMPTY_LIST_MESSAGES: Record<TodoList, string> = {
  today: 'Nothing planned for today.',
  tomorrow: 'Nothing planned for tomorrow yet.',
  upcoming: 'Nothing planned after tomorrow.',
  undone: 'No unfinished todos from past days.',
  done: 'No todos done yet.',
  kiv: 'No todos kept in view.',
};

const QUICK_STATUSES: TodoStatus[] = ['done', 'failed', 'kiv', 'new'];

/** Where a list page is: its search, page and a page size other than the configured one. */
export interface ListPlace {
  list: TodoList;
  q: string;
  pageSize?: number;
}

export function listHref({ list, q, pageSize }: ListPlace, page: number): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  if (pageSize !== undefined) params.set('pageSize', String(pageSize));
  const query = params.toString();
  return `/todos/${list}${query ? `?${query}` : ''}`;
}

function pagination(place: ListPlace, result: TodoPage<TodoSummary>) {
  return {
    page: result.page,
    totalPages: result.totalPages,
    previousHref: result.page > 1 ? listHref(place, Math.min(result.page - 1, result.totalPages)) : undefined,
    nextHref: result.page < result.totalPages ? listHref(place, result.page + 1) : undefined,
  };
}

/** The page sizes offered below a list; the current one is marked rather than linked. */
function pageSizeChoices(place: ListPlace, current: number, defaultSize: number) {
  const sizes = [...new Set([defaultSize, ...LIST_PAGE_SIZES])].sort((a, b) => a - b);
  return sizes.map((size) => ({
    size,
    current: size === current,
    href: listHref({ ...place, pageSize: size === defaultSize ? undefined : size }, 1),
  }));
}

function quickStatuses(todo: TodoSummary) {
  return QUICK_STATUSES.filter((status) => status !== todo.status).map((status) => ({
    status,
    label: status === 'kiv' ? 'KIV' : status === 'new' ? 'Reopen' : STATUS_LABELS[status],
  }));
}

/** What the list template shows: display strings are made here, once per row, rather than by helpers. */
export function listPageLocals(place: ListPlace, result: TodoPage<TodoSummary>, defaultPageSize: number) {
  const { list, q } = place;
  return {
    title: LIST_TITLES[list],
    list,
    listTitle: LIST_TITLES[list],
    emptyMessage: q ? `No todos match "${q}".` : EMPTY_LIST_MESSAGES[list],
    q,
    result,
    items: result.items.map((todo) => ({
      id: todo.id,
      title: todo.title,
      status: todo.status,
      statusText: STATUS_LABELS[todo.status],
      dateLabel: formatDay(todo.scheduledFor),
      quickStatuses: quickStatuses(todo),
    })),
    pagination: pagination(place, result),
    pageSizes: result.total > Math.min(...LIST_PAGE_SIZES, defaultPageSize) ? pageSizeChoices(place, result.pageSize, defaultPageSize) : [],
    currentUrl: listHref(place, result.page),
  };
}

/** The create form, or the edit form of `todo`. */
export function formLocals(locals: { todo?: TodoView; values: TodoFormValues; errors?: Record<string, string> }) {
  return {
    title: locals.todo ? `Edit: ${locals.todo.title}` : 'New todo',
    action: locals.todo ? `/todos/${locals.todo.id}` : '/todos',
    titleMaxLength: TITLE_MAX_LENGTH,
    detailsMaxLength: DETAILS_MAX_LENGTH,
    ...locals,
  };
}

/** A todo's page, with its history and, after a refused status change, the messages and values. */
export function showLocals(todo: TodoView, history: TodoHistoryEntry[], errors?: Record<string, string>, values: Record<string, unknown> = {}) {
  return { title: todo.title, todo, history, quickStatuses: quickStatuses(todo), errors, values, statuses: TODO_STATUSES };
}

/** The dashboard: each status's counts for today, this week and this month, and their chart. */
export function dashboardLocals(counts: DashboardCounts) {
  const rows = TODO_STATUSES.map((status) => ({
    status,
    label: STATUS_LABELS[status],
    today: counts.today.byStatus[status],
    week: counts.week.byStatus[status],
    month: counts.month.byStatus[status],
  }));
  return { title: 'Dashboard', counts, rows, chart: buildDashboardChart(counts) };
}

