import { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { requireLogin } from '../auth/guards';
import { safeRedirectPath } from '../auth/safeRedirect';
import { flash } from '../middleware/flash';
import { NotFoundError, ValidationError } from '../middleware/httpError';
import { validate } from '../middleware/validation';
import { buildDashboardChart } from './dashboardChart';
import { statusChangeSchema, todoInputSchema, TITLE_MAX_LENGTH, DETAILS_MAX_LENGTH } from './schemas';
import { STATUS_LABELS, TODO_STATUSES, TodoStatus } from './statuses';
import { TODO_LISTS, TodoList, TodoPage, TodoView } from './types';

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

const listQuerySchema = z.object({
  q: z
    .string()
    .optional()
    .catch(undefined)
    .transform((value) => value?.trim().slice(0, 200) ?? ''),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1),
});

type FormValues = { title?: string; details?: string; when?: string; date?: string };

/** Ids are positive integers; anything else names no todo and is answered like a missing one. */
function todoId(req: Request): number {
  const raw = String(req.params.id ?? '');
  if (!/^[1-9]\d{0,9}$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new NotFoundError('Todo');
  return Number(raw);
}

function userId(req: Request): number {
  return (req.user as Express.User).id;
}

function listHref(list: TodoList, q: string, page: number): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return `/todos/${list}${query ? `?${query}` : ''}`;
}

function pagination(list: TodoList, q: string, result: TodoPage) {
  return {
    page: result.page,
    totalPages: result.totalPages,
    previousHref: result.page > 1 ? listHref(list, q, Math.min(result.page - 1, result.totalPages)) : undefined,
    nextHref: result.page < result.totalPages ? listHref(list, q, result.page + 1) : undefined,
  };
}

function quickStatuses(todo: TodoView) {
  return QUICK_STATUSES.filter((status) => status !== todo.status).map((status) => ({
    status,
    label: status === 'kiv' ? 'KIV' : status === 'new' ? 'Reopen' : STATUS_LABELS[status],
  }));
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

export function todoRoutes(services: Services): Router {
  const router = Router();
  const { todos } = services;

  async function renderShow(req: Request, res: Response, status: number, errors?: Record<string, string>, values: Record<string, string> = {}) {
    const id = todoId(req);
    const [todo, history] = await Promise.all([todos.get(userId(req), id), todos.history(userId(req), id)]);
    res.status(status).render('todos/show', {
      title: todo.title,
      todo,
      history,
      quickStatuses: quickStatuses(todo),
      errors,
      values,
      statuses: TODO_STATUSES,
    });
  }

  router.get('/', requireLogin(), async (req, res) => {
    const counts = await todos.dashboard(userId(req));
    const rows = TODO_STATUSES.map((status) => ({
      status,
      label: STATUS_LABELS[status],
      today: counts.today.byStatus[status],
      week: counts.week.byStatus[status],
      month: counts.month.byStatus[status],
    }));
    res.render('todos/dashboard', { title: 'Dashboard', counts, rows, chart: buildDashboardChart(counts) });
  });

  router.get('/todos/new', requireLogin(), (_req, res) => {
    renderForm(res, 200, { values: { when: 'today' } });
  });

  router.post('/todos', requireLogin(), async (req, res) => {
    try {
      const input = validate(todoInputSchema, req.body);
      const todo = await todos.create(userId(req), input);
      flash(req, 'success', `Todo "${todo.title}" created.`);
      res.redirect(303, `/todos/${todo.id}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      renderForm(res, 422, { values: req.body ?? {}, errors: error.fields });
    }
  });

  router.get(
    TODO_LISTS.map((list) => `/todos/${list}`),
    requireLogin(),
    async (req, res) => {
      const list = req.path.split('/')[2] as TodoList;
      const { q, page } = validate(listQuerySchema, req.query);
      const result = await todos.list(userId(req), { list, search: q, page });
      res.render('todos/list', {
        title: LIST_TITLES[list],
        list,
        listTitle: LIST_TITLES[list],
        emptyMessage: q ? `No todos match "${q}".` : EMPTY_LIST_MESSAGES[list],
        q,
        result,
        items: result.items.map((todo) => ({ ...todo, quickStatuses: quickStatuses(todo) })),
        pagination: pagination(list, q, result),
        currentUrl: listHref(list, q, result.page),
      });
    },
  );

  router.get('/todos/:id', requireLogin(), async (req, res) => {
    await renderShow(req, res, 200);
  });

  router.get('/todos/:id/edit', requireLogin(), async (req, res) => {
    const todo = await todos.get(userId(req), todoId(req));
    renderForm(res, 200, { todo, values: { title: todo.title, details: todo.details, when: 'date', date: todo.scheduledFor } });
  });

  router.post('/todos/:id', requireLogin(), async (req, res) => {
    const id = todoId(req);
    const todo = await todos.get(userId(req), id);
    try {
      const input = validate(todoInputSchema, req.body);
      await todos.update(userId(req), id, input);
      flash(req, 'success', 'Todo saved.');
      res.redirect(303, `/todos/${id}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      renderForm(res, 422, { todo, values: req.body ?? {}, errors: error.fields });
    }
  });

  router.post('/todos/:id/status', requireLogin(), async (req, res) => {
    const id = todoId(req);
    try {
      const change = validate(statusChangeSchema, req.body);
      const todo = await todos.changeStatus(userId(req), id, change.status, change.toDate);
      flash(req, 'success', `"${todo.title}" is now ${STATUS_LABELS[todo.status].toLowerCase()}.`);
      const back = typeof req.body?.back === 'string' ? safeRedirectPath(req.body.back) : `/todos/${id}`;
      res.redirect(303, back);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderShow(req, res, 422, error.fields, { toDate: typeof req.body?.toDate === 'string' ? req.body.toDate : '' });
    }
  });

  router.get('/todos/:id/delete', requireLogin(), async (req, res) => {
    const todo = await todos.get(userId(req), todoId(req));
    res.render('todos/confirmDelete', { title: `Delete: ${todo.title}`, todo });
  });

  router.post('/todos/:id/delete', requireLogin(), async (req, res) => {
    const id = todoId(req);
    const todo = await todos.get(userId(req), id);
    await todos.delete(userId(req), id);
    flash(req, 'success', `Todo "${todo.title}" deleted.`);
    res.redirect(303, '/todos/today');
  });

  return router;
}
