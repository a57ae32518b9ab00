import { Router } from 'express';
import type { Services } from '../services';

export function apiRoutes(_services: Services): Router {
  return Router();
}
