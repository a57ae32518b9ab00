import { AppError, ERROR_KINDS, httpHeadersOf, httpStatusOf, MethodNotAllowedError, NotFoundError, recordId, validate, ValidationError } from '../../src/errors';
import { z } from 'zod';

describe('the error kinds', () => {
  it('answers each kind with its HTTP status', () => {
    const statuses = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, httpStatusOf(new AppError(kind, 'x'))]));
    expect(statuses).toEqual({
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
    });
  });

  it('carries Retry-After, WWW-Authenticate and Allow only when the error names them', () => {
    expect(httpHeadersOf(new AppError('throttled', 'wait', { retryAfterSeconds: 30 }))).toEqual({ 'Retry-After': '30' });
    expect(httpHeadersOf(new AppError('unauthenticated', 'who?', { challenge: 'Bearer realm="TodoBox"' }))).toEqual({
      'WWW-Authenticate': 'Bearer realm="TodoBox"',
    });
    expect(httpHeadersOf(new MethodNotAllowedError(['GET', 'POST']))).toEqual({ Allow: 'GET, POST' });
    expect(httpHeadersOf(new AppError('refused', 'no'))).toEqual({});
  });

  it('names the missing record, and the fields that failed validation', () => {
    expect(new NotFoundError('Todo')).toMatchObject({ kind: 'not-found', message: 'Todo not found' });
    expect(() => recordId('12x', 'Todo')).toThrow(new NotFoundError('Todo'));
    expect(recordId('12', 'Todo')).toBe(12);
    let caught: unknown;
    try {
      validate(z.object({ title: z.string().min(1, 'Enter a title'), due: z.string() }), { title: '' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toMatchObject({ kind: 'invalid', fields: { title: 'Enter a title', due: 'Required' } });
  });
});
