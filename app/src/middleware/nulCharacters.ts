import type { RequestHandler } from 'express';
import { AppError } from '../errors';

function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, field]) => key.includes('\u0000') || holdsNul(field, depth + 1));
}

/**
 * Refuses a NUL character anywhere in the address or the form or JSON body: no text a person types
 * holds one, PostgreSQL cannot store one, and SQLite's statement text ends at one.
 */
export function refuseNulCharacters(): RequestHandler {
  return (req, _res, next) => {
    if (req.originalUrl.includes('%00') || holdsNul(req.body)) {
      return next(new AppError('bad-request', 'The request holds a NUL character (%00), which no field accepts.'));
    }
    next();
  };
}
