import type { TodoService } from './types';
import { Request, Response, Router } from 'express';
import type { PageCache } from '../cache';
import { actingUser, requireLogin, safeRedirectPath } from '../auth';
import { formatDay } from '../shared';
import { flash, submitForm } from '../middleware';
import { recordId, validate } from '../errors';
import { buildDashboardChart } from './dashboardChart';
import {
  DETAILS_MAX_LENGTH,
  LIST_PAGE_SIZES,
  listPageQuerySchema,
  statusChangeSchema,
  TITLE_MAX_LENGTH,
  todoInputSchema,
} from './schemas';
import { STATUS_LABELS, TODO_STATUSES, TodoStatus } from './statuses';
import { TODO_LISTS, TodoList, TodoPage, TodoSummary, TodoView } from './types';

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

type FormValues = { title?: string; details?: string; when?: string; date?: string };

/** Where a list page is: its search, page and a page size other than the configured one. */
interface ListPlace {
  list: TodoList;
  q: string;
  pageSize?: number;
}

function listHref({ list, q, pageSize }: ListPlace, page: number): string {
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
function listPageLocals(place: ListPlace, result: TodoPage<TodoSummary>, defaultPageSize: number) {
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

function renderForm(res: Response, status: number, locals: { todo?: TodoView; values: FormValues; errors?: Record<string, string> }) {
  res.status(status).render('todos/form', {
    title: locals.todo ? `Edit: ${locals.todo.title}` : 'New todo',
    action: locals.todo ? `/todos/${locals.todo.id}` : '/todos',
    titleMaxLength: TITLE_MAX_LENGTH,
    detailsMaxLength: DETAILS_MAX_LENGTH,
    ...locals,
  });
}

export function todoRoutes(todos: TodoService, options: { pageSize: number; pages: PageCache }): Router {
  // Paths name lists exactly: /todos/TODAY must not pass for /todos/today.
  const router = Router({ caseSensitive: true });
  const { pages } = options;

  async function showLocals(req: Request, errors?: Record<string, string>, values: Record<string, string> = {}) {
    const userId = actingUser(req).id;
    const id = recordId(req.params.id, 'Todo');
    const [todo, history] = await Promise.all([todos.get(userId, id), todos.history(userId, id)]);
    return { title: todo.title, todo, history, quickStatuses: quickStatuses(todo), errors, values, statuses: TODO_STATUSES };
  }

  router.get('/', requireLogin(), async (req, res) => {
    await pages.render(req, res, 'todos/dashboard', async () => {
      const counts = await todos.dashboard(actingUser(req).id);
      const rows = TODO_STATUSES.map((status) => ({
        status,
        label: STATUS_LABELS[status],
        today: counts.today.byStatus[status],
        week: counts.week.byStatus[status],
        month: counts.month.byStatus[status],
      }));
      return { title: 'Dashboard', counts, rows, chart: buildDashboardChart(counts) };
    }, '/');
  });

  router.get('/todos/new', requireLogin(), (_req, res) => {
    renderForm(res, 200, { values: { when: 'today' } });
  });

  router.post('/todos', requireLogin(), async (req, res) => {
    await submitForm(
      res,
      async () => {
        const todo = await todos.create(actingUser(req).id, validate(todoInputSchema, req.body));
        flash(req, 'success', `Todo "${todo.title}" created.`);
        res.redirect(303, `/todos/${todo.id}`);
      },
      (errors) => renderForm(res, 422, { values: req.body ?? {}, errors }),
    );
  });

  for (const list of TODO_LISTS) {
    router.get(`/todos/${list}`, requireLogin(), async (req, res) => {
      const { q, page, pageSize: askedSize } = validate(listPageQuerySchema, req.query);
      const pageSize = askedSize === options.pageSize ? undefined : askedSize;
      const place: ListPlace = { list, q, pageSize };
      await pages.render(
        req,
        res,
        'todos/list',
        async () => listPageLocals(place, await todos.listSummaries(actingUser(req).id, { list, search: q, page, pageSize }), options.pageSize),
        listHref(place, page),
      );
    });
  }

  router.get('/todos/:id', requireLogin(), async (req, res) => {
    await pages.render(req, res, 'todos/show', () => showLocals(req), `/todos/${recordId(req.params.id, 'Todo')}`);
  });

  router.get('/todos/:id/edit', requireLogin(), async (req, res) => {
    const todo = await todos.get(actingUser(req).id, recordId(req.params.id, 'Todo'));
    renderForm(res, 200, { todo, values: { title: todo.title, details: todo.details, when: 'date', date: todo.scheduledFor } });
  });

  router.post('/todos/:id', requireLogin(), async (req, res) => {
    const userId = actingUser(req).id;
    const id = recordId(req.params.id, 'Todo');
    const todo = await todos.get(userId, id);
    await submitForm(
      res,
      async () => {
        await todos.applyChanges(userId, id, validate(todoInputSchema, req.body));
        flash(req, 'success', 'Todo saved.');
        res.redirect(303, `/todos/${id}`);
      },
      (errors) => renderForm(res, 422, { todo, values: req.body ?? {}, errors }),
    );
  });

  router.post('/todos/:id/status', requireLogin(), async (req, res) => {
    const id = recordId(req.params.id, 'Todo');
    await submitForm(
      res,
      async () => {
        const change = validate(statusChangeSchema, req.body);
        const todo = await todos.changeStatus(actingUser(req).id, id, change.status, change.toDate);
        flash(req, 'success', `"${todo.title}" is now ${STATUS_LABELS[todo.status].toLowerCase()}.`);
        res.redirect(303, typeof req.body?.back === 'string' ? safeRedirectPath(req.body.back) : `/todos/${id}`);
      },
      async (errors) => res.render('todos/show', await showLocals(req, errors, { toDate: typeof req.body?.toDate === 'string' ? req.body.toDate : '' })),
    );
  });

  router.get('/todos/:id/delete', requireLogin(), async (req, res) => {
    const todo = await todos.get(actingUser(req).id, recordId(req.params.id, 'Todo'));
    res.render('todos/confirmDelete', { title: `Delete: ${todo.title}`, todo });
  });

  router.post('/todos/:id/delete', requireLogin(), async (req, res) => {
    const userId = actingUser(req).id;
    const id = recordId(req.params.id, 'Todo');
    const todo = await todos.get(userId, id);
    await todos.delete(userId, id);
    flash(req, 'success', `Todo "${todo.title}" deleted.`);
    res.redirect(303, '/todos/today');
  });

  return router;
}
