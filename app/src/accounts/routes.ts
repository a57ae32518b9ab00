import { Router } from 'express';
import type { Services } from '../services';

export function accountRoutes(_services: Services): Router {
  return Router();
}
