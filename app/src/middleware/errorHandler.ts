import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { DependencyMonitor, Logger } from '../observability';
import { AppError, httpHeadersOf, httpStatusOf, NotFoundError } from '../errors';
import { bodyRefusalMessage, isBodyRefusal } from './bodyRefusals';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Please log in',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Too large',
  415: 'Unsupported request body',
  422: 'Invalid input',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

/** A browser gets a page; a client that asks for JSON alone (a script, a fetch) gets JSON. */
function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json' && !req.accepts('html');
}

export interface ErrorAnswers {
  /** 'json' for the JSON API's router, whose clients are scripts; otherwise as the request accepts. */
  format?: 'json' | 'negotiated';
}

/** How long a client is asked to wait before retrying while a dependency is down. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

function serviceUnavailable(): AppError {
  return new AppError('unavailable', 'TodoBox is temporarily unavailable. Please try again in a moment.', {
    retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS,
  });
}

export function notFound(): RequestHandler {
  return (_req, _res, next) => next(new NotFoundError());
}

/**
 * Turns any error into a friendly page or JSON body; stack traces only ever reach the log. An
 * unreachable database or Redis is an outage, not a bug: 503 with Retry-After, counted and logged
 * once per outage by the dependency monitor rather than once per request.
 */
export function errorHandler(logger: Logger, showStack: boolean, dependencies?: DependencyMonitor, answers: ErrorAnswers = {}): ErrorRequestHandler {
  return (caught, req, res, _next) => {
    const outage = dependencies?.recordError(caught) ?? null;
    const error = outage ? serviceUnavailable() : caught;
    const refusal = isBodyRefusal(error) ? error : undefined;
    // The router's answer to a path parameter it cannot decode (/todos/%ZZ).
    const badAddress = error instanceof URIError && (error as { status?: unknown }).status === 400;
    const status = error instanceof AppError ? httpStatusOf(error) : badAddress ? 400 : (refusal?.status ?? 500);
    const message =
      error instanceof AppError
        ? error.message
        : badAddress
          ? 'The address is not valid: it holds a malformed percent-encoding.'
          : refusal
            ? bodyRefusalMessage(refusal)
            : 'An unexpected error occurred. It has been logged; please try again.';
    if (status >= 500 && !outage) {
      logger.error('request failed', { error, method: req.method, path: req.path, requestId: res.locals.requestId });
    }
    if (res.headersSent) return;
    if (error instanceof AppError) {
      for (const [name, value] of Object.entries(httpHeadersOf(error))) res.setHeader(name, value);
    }
    res.status(status);
    if (answers.format === 'json' || wantsJson(req)) {
      res.json({
        error: { status, message, ...(error instanceof AppError && error.fields ? { fields: error.fields } : {}) },
      });
      return;
    }
    res.render('error', {
      title: TITLES[status] ?? 'Error',
      status,
      message,
      stack: showStack && status >= 500 ? String(error?.stack ?? error) : undefined,
    });
  };
}
