import type { TodoService } from './types';
import { Request, Router } from 'express';
import type { PageCache } from '../cache';
import { actingUser, requireLogin, safeRedirectPath } from '../auth';
import { echoedValues, flash, formFields, submitForm } from '../middleware';
import { recordId, validate } from '../errors';
import { listPageQuerySchema } from './schemas';
import { STATUS_LABELS } from './statuses';
import { TODO_LISTS } from './types';
import { dashboardLocals, formLocals, listHref, ListPlace, listPageLocals, showLocals } from './presenters';
import { formValuesOf, statusChangeFromForm, statusFormErrors, todoFormErrors, todoFromForm } from './todoForm';

export function todoRoutes(todos: TodoService, options: { pageSize: number; pages: PageCache }): Router {
  // Paths name lists exactly: /todos/TODAY must not pass for /todos/today.
  const router = Router({ caseSensitive: true });
  const { pages } = options;
  const todoId = (req: Request) => recordId(req.params.id, 'Todo');

  async function todoPage(req: Request, errors?: Record<string, string>, values?: Record<string, unknown>) {
    const userId = actingUser(req).id;
    const id = todoId(req);
    const [todo, history] = await Promise.all([todos.get(userId, id), todos.history(userId, id)]);
    return showLocals(todo, history, errors, values);
  }

  router.get('/', requireLogin(), async (req, res) => {
    await pages.render(req, res, 'todos/dashboard', async () => dashboardLocals(await todos.dashboard(actingUser(req).id)), '/');
  });

  router.get('/todos/new', requireLogin(), (_req, res) => {
    res.render('todos/form', formLocals({ values: { when: 'today' } }));
  });

  router.post('/todos', requireLogin(), async (req, res) => {
    await submitForm(
      res,
      async () => {
        const todo = await todos.create(actingUser(req).id, todoFromForm(formFields(req.body)));
        flash(req, 'success', `Todo "${todo.title}" created.`);
        res.redirect(303, `/todos/${todo.id}`);
      },
      (errors) => res.render('todos/form', formLocals({ values: echoedValues(req.body), errors: todoFormErrors(errors) })),
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
    await pages.render(req, res, 'todos/show', () => todoPage(req), `/todos/${todoId(req)}`);
  });

  router.get('/todos/:id/edit', requireLogin(), async (req, res) => {
    const todo = await todos.get(actingUser(req).id, todoId(req));
    res.render('todos/form', formLocals({ todo, values: formValuesOf(todo) }));
  });

  router.post('/todos/:id', requireLogin(), async (req, res) => {
    const userId = actingUser(req).id;
    const id = todoId(req);
    await submitForm(
      res,
      async () => {
        await todos.edit(userId, id, todoFromForm(formFields(req.body)));
        flash(req, 'success', 'Todo saved.');
        res.redirect(303, `/todos/${id}`);
      },
      async (errors) => {
        const todo = await todos.get(userId, id);
        res.render('todos/form', formLocals({ todo, values: echoedValues(req.body), errors: todoFormErrors(errors) }));
      },
    );
  });

  router.post('/todos/:id/status', requireLogin(), async (req, res) => {
    const id = todoId(req);
    await submitForm(
      res,
      async () => {
        const { status, scheduledFor } = statusChangeFromForm(formFields(req.body));
        const todo = await todos.changeStatus(actingUser(req).id, id, status, scheduledFor);
        flash(req, 'success', `"${todo.title}" is now ${STATUS_LABELS[todo.status].toLowerCase()}.`);
        res.redirect(303, typeof req.body?.back === 'string' ? safeRedirectPath(req.body.back) : `/todos/${id}`);
      },
      async (errors) => {
        const values = { toDate: echoedValues(req.body).toDate ?? '' };
        res.render('todos/show', await todoPage(req, statusFormErrors(errors), values));
      },
    );
  });

  router.get('/todos/:id/delete', requireLogin(), async (req, res) => {
    const todo = await todos.get(actingUser(req).id, todoId(req));
    res.render('todos/confirmDelete', { title: `Delete: ${todo.title}`, todo });
  });

  router.post('/todos/:id/delete', requireLogin(), async (req, res) => {
    const todo = await todos.delete(actingUser(req).id, todoId(req));
    flash(req, 'success', `Todo "${todo.title}" deleted.`);
    res.redirect(303, '/todos/today');
  });

  return router;
}
