import { Router } from 'express';
import type { Services } from '../services';
import { requireLogin } from '../auth/guards';

export function todoRoutes(_services: Services): Router {
  const router = Router();
  router.get('/', requireLogin(), (_req, res) => {
    res.render('todos/dashboard', { title: 'Dashboard' });
  });
  return router;
}
