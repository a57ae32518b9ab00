import type { RequestHandler } from 'express';

/**
 * Pages are one user's, or carry a session's CSRF token: a browser that kept one would show it
 * again with Back after logout, to whoever uses the browser next. A route may still say otherwise.
 */
export function neverStored(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
