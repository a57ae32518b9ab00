import { Router } from 'express';
import type { Services } from '../services';

export function adminRoutes(_services: Services): Router {
  return Router();
}
