import { RequestHandler, Router } from 'express';
import type { Services } from '../services';
import { HttpError, NotFoundError, ValidationError } from '../middleware/httpError';
import { validate } from '../middleware/validation';
import { today } from '../todos/dates';
import type { TodoStatus } from '../todos/statuses';
import type { TodoInput, TodoService, TodoView } from '../todos/types';
import { bearerAuth } from './bearerAuth';
import { recordId } from './recordId';
import { apiCreateTodoSchema, apiListQuerySchema, apiUpdateTodoSchema } from './schemas';
import { todoJson, todoPageJson, todoWithHistoryJson } from './todoJson';

/** POST and PATCH take a JSON object, nothing else. */
function jsonObjectBody(): RequestHandler {
  return (req, _res, next) => {
    if (!req.is('application/json')) {
      throw new HttpError(415, 'Send the request body as JSON with "Content-Type: application/json"');
    }
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      throw new HttpError(400, 'The request body must be a JSON object');
    }
    next();
  };
}

function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
}

/** The API names the day a todo moves to `scheduledFor`, as everywhere else; the service calls it `toDate`. */
async function changeStatusAs(todos: TodoService, userId: number, id: number, status: TodoStatus, day?: string) {
  try {
    return await todos.changeStatus(userId, id, status, status === 'reassign' ? day : undefined);
  } catch (error) {
    if (!(error instanceof ValidationError) || !error.fields.toDate) throw error;
    const { toDate, ...others } = error.fields;
    throw new ValidationError({ ...others, scheduledFor: toDate });
  }
}

/** The JSON API for scripts, authenticated by personal tokens only (see docs/openapi.yaml). */
export function apiRoutes(services: Services): Router {
  const { todos } = services;
  const router = Router();
  const authenticated = bearerAuth(services.tokens);
  const jsonBody = jsonObjectBody();
  router.use(noStore());

  router.get('/todos', authenticated, async (req, res) => {
    const query = validate(apiListQuerySchema, req.query);
    const page = await todos.list(req.user!.id, {
      list: query.list,
      search: query.q || undefined,
      page: query.page,
      pageSize: query.pageSize,
      status: query.status,
    });
    res.json(todoPageJson(page));
  });

  router.post('/todos', authenticated, jsonBody, async (req, res) => {
    const input = validate(apiCreateTodoSchema, req.body);
    const todo = await todos.create(req.user!.id, { ...input, scheduledFor: input.scheduledFor ?? today() });
    res.status(201).location(`${req.baseUrl}/todos/${todo.id}`).json(todoJson(todo));
  });

  router.get('/todos/:id', authenticated, async (req, res) => {
    const id = recordId(req.params.id, 'Todo');
    const todo = await todos.get(req.user!.id, id);
    res.json(todoWithHistoryJson(todo, await todos.history(req.user!.id, id)));
  });

  router.patch('/todos/:id', authenticated, jsonBody, async (req, res) => {
    const userId = req.user!.id;
    const id = recordId(req.params.id, 'Todo');
    const { status, ...fields } = validate(apiUpdateTodoSchema, req.body);
    // For a re-assignment scheduledFor is the day the todo moves to, which changeStatus records in the history.
    const edits = Object.fromEntries(
      Object.entries(fields).filter(([name, value]) => value !== undefined && !(status === 'reassign' && name === 'scheduledFor')),
    ) as Partial<TodoInput>;
    // The status goes first: it is the one change the schema cannot fully check (a re-assignment to the
    // same day), so a rejected request leaves the todo untouched.
    let todo: TodoView | undefined;
    if (status) todo = await changeStatusAs(todos, userId, id, status, fields.scheduledFor);
    if (Object.keys(edits).length > 0) todo = await todos.update(userId, id, edits);
    res.json(todoJson(todo!));
  });

  router.delete('/todos/:id', authenticated, async (req, res) => {
    await todos.delete(req.user!.id, recordId(req.params.id, 'Todo'));
    res.status(204).end();
  });

  router.use(() => {
    throw new NotFoundError('API endpoint');
  });
  return router;
}
