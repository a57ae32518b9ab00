import type { Request } from 'express';
import { HttpError } from '../middleware/httpError';

/** The logged-in user behind a request; requireLogin() runs first, so a missing user is never bad input. */
export function actingUser(req: Request): Express.User {
  if (!req.user) throw new HttpError(401, 'Please log in to continue.');
  return req.user;
}
