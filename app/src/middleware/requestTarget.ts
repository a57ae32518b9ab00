import type { RequestHandler } from 'express';
import { AppError } from '../errors';

/**
 * Refuses a request whose target is not a path (`GET * HTTP/1.1`, `GET todos`): the session and
 * every route are kept under `/`, so such a request would otherwise reach them half set up.
 */
export function refuseNonPathTargets(): RequestHandler {
  return (req, _res, next) => {
    if (!req.url.startsWith('/')) return next(new AppError('bad-request', 'The request target must be a path beginning with "/".'));
    next();
  };
}
