import { AppError, ErrorKind } from './appError';

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  refused: 400,
  'unsupported-media-type': 415,
  invalid: 422,
  throttled: 429,
  unavailable: 503,
};

export function httpStatusOf(error: AppError): number {
  return STATUS_OF_KIND[error.kind];
}

/** The headers an answer to the error carries: Retry-After, WWW-Authenticate, Allow. */
export function httpHeadersOf(error: AppError): Record<string, string> {
  return {
    ...(error.retryAfterSeconds !== undefined ? { 'Retry-After': String(error.retryAfterSeconds) } : {}),
    ...(error.challenge !== undefined ? { 'WWW-Authenticate': error.challenge } : {}),
    ...(error.allow !== undefined ? { Allow: error.allow.join(', ') } : {}),
  };
}
