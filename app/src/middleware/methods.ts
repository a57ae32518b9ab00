import type { RequestHandler } from 'express';
import { MethodNotAllowedError } from '../errors';

/** What the pages take: links and forms. */
const PAGE_METHODS = ['GET', 'HEAD', 'POST'];

/**
 * Any other method (PUT, PROPFIND, TRACE) is answered 405 with Allow before it reaches the CSRF check,
 * whose "security token is missing" would send its client looking for the wrong problem.
 */
export function refuseOtherMethods(): RequestHandler {
  return (req, _res, next) => next(PAGE_METHODS.includes(req.method) ? undefined : new MethodNotAllowedError(PAGE_METHODS));
}

/** The last handler of an API address: the methods it does not take. */
export function methodNotAllowed(allow: string[]): RequestHandler {
  return (_req, _res, next) => next(new MethodNotAllowedError(allow));
}
