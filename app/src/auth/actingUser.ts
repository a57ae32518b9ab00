import type { Request } from 'express';
import { AppError } from '../errors';

/** The logged-in user behind a request; requireLogin() runs first, so a missing user is never bad input. */
export function actingUser(req: Request): Express.User {
  if (!req.user) throw new AppError('unauthenticated', 'Please log in to continue.');
  return req.user;
}
