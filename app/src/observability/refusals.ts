import type { ErrorRequestHandler, Response } from 'express';
import { AppError, ErrorKind } from '../errors';
import type { RefusalReason } from './metrics';

const refusals = new WeakMap<Response, RefusalReason>();

/**
 * Marks a response as a refused request; the HTTP metrics count it once the response is sent. The
 * first mark wins, so a specific one (CSRF) is not overwritten by the generic one of its status.
 */
export function noteRefusal(res: Response, reason: RefusalReason): void {
  if (!refusals.has(res)) refusals.set(res, reason);
}

export function refusalOf(res: Response): RefusalReason | undefined {
  return refusals.get(res);
}

const REASON_BY_KIND: Partial<Record<ErrorKind, RefusalReason>> = { unauthenticated: 'auth', forbidden: 'forbidden', throttled: 'rate_limited' };

/** Marks the refusals that travel as errors (bearer 401s, admin-only 403s, throttled 429s) on their way to the error handler. */
export function noteRefusedErrors(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    const reason = error instanceof AppError ? REASON_BY_KIND[error.kind] : undefined;
    if (reason) noteRefusal(res, reason);
    next(error);
  };
}
