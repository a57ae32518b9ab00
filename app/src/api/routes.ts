import { RequestHandler, Router } from 'express';
import type { TodoService } from '../todos';
import type { TokenService } from '../tokens';
import { actingUser } from '../auth';
import { AppError, NotFoundError, recordId, validate } from '../errors';
import { methodNotAllowed } from '../middleware';
import { bearerAuth } from './bearerAuth';
import { apiListQuerySchema } from './schemas';
import { newTodoOf, todoChangesOf } from './todoBody';

/** POST and PATCH take a JSON object, nothing else. */
function jsonObjectBody(): RequestHandler {
  return (req, _res, next) => {
    if (!req.is('application/json')) {
      throw new AppError('unsupported-media-type', 'Send the request body as JSON with "Content-Type: application/json"');
    }
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      throw new AppError('bad-request', 'The request body must be a JSON object');
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

/** The JSON API for scripts, authenticated by personal tokens only (see docs/openapi.yaml). */
export function apiRoutes(todos: TodoService, tokens: TokenService): Router {
  const router = Router();
  const authenticated = bearerAuth(tokens);
  const jsonBody = jsonObjectBody();
  router.use(noStore());

  router
    .route('/todos')
    .get(authenticated, async (req, res) => {
      const query = validate(apiListQuerySchema, req.query);
      const page = await todos.list(actingUser(req).id, {
        list: query.list,
        search: query.q || undefined,
        page: query.page,
        pageSize: query.pageSize,
        status: query.status,
      });
      res.json(page);
    })
    .post(authenticated, jsonBody, async (req, res) => {
      const todo = await todos.create(actingUser(req).id, newTodoOf(req.body));
      res.status(201).location(`${req.baseUrl}/todos/${todo.id}`).json(todo);
    })
    .all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  router
    .route('/todos/:id')
    .get(authenticated, async (req, res) => {
      const userId = actingUser(req).id;
      const id = recordId(req.params.id, 'Todo');
      const todo = await todos.get(userId, id);
      res.json({ ...todo, history: await todos.history(userId, id) });
    })
    .patch(authenticated, jsonBody, async (req, res) => {
      const id = recordId(req.params.id, 'Todo');
      // With status "reassign", scheduledFor is the day the todo moves to: the service records the move in its history.
      res.json(await todos.applyChanges(actingUser(req).id, id, todoChangesOf(req.body)));
    })
    .delete(authenticated, async (req, res) => {
      await todos.delete(actingUser(req).id, recordId(req.params.id, 'Todo'));
      res.status(204).end();
    })
    .all(methodNotAllowed(['GET', 'HEAD', 'PATCH', 'DELETE']));

  router.use(() => {
    throw new NotFoundError('API endpoint');
  });
  return router;
}
