/**
 * What went wrong, in the app's own words. Services, guards and routes name the problem; the web and
 * JSON error handlers answer each kind with its HTTP status (httpStatus.ts), so no service speaks HTTP.
 */
export const ERROR_KINDS = [
  /** The request itself is malformed (not a JSON object, a NUL character). */
  'bad-request',
  /** No credentials, or credentials that name nobody. */
  'unauthenticated',
  /** Known, but not allowed (a page for administrators, a failed CSRF check). */
  'forbidden',
  'not-found',
  /** The state forbids it however it is asked (setup once it is done). */
  'conflict',
  /** A business rule turns it down (deleting the last administrator); the message says which. */
  'refused',
  /** The address exists, but not for this method: `allow` names the ones it takes. */
  'method-not-allowed',
  /** The body is not in a type the route reads. */
  'unsupported-media-type',
  /** Fields that failed validation, each with its message. */
  'invalid',
  /** Too many attempts: try again after `retryAfterSeconds`. */
  'throttled',
  /** A dependency is away: try again after `retryAfterSeconds`. */
  'unavailable',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface AppErrorOptions {
  /** For 'invalid': the message shown beside each field. */
  fields?: Record<string, string>;
  /** For 'throttled' and 'unavailable': how long to wait before trying again. */
  retryAfterSeconds?: number;
  /** For 'unauthenticated': how to authenticate, as a WWW-Authenticate challenge. */
  challenge?: string;
  /** For 'method-not-allowed': the methods the address takes. */
  allow?: string[];
}

/** An error whose message is safe to show to whoever made the request. */
export class AppError extends Error {
  readonly fields?: Record<string, string>;
  readonly retryAfterSeconds?: number;
  readonly challenge?: string;
  readonly allow?: string[];

  constructor(
    readonly kind: ErrorKind,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.challenge = options.challenge;
    this.allow = options.allow;
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Page') {
    super('not-found', `${what} not found`);
  }
}

/** Input that failed validation: `fields` maps each field to the message shown beside it. */
export class ValidationError extends AppError {
  declare readonly fields: Record<string, string>;

  constructor(fields: Record<string, string>, message = 'Please correct the highlighted fields') {
    super('invalid', message, { fields });
  }
}

/** A method the address does not take (PUT on a page, PUT on /api/todos/1). */
export class MethodNotAllowedError extends AppError {
  constructor(allow: string[]) {
    super('method-not-allowed', `This address takes ${allow.join(', ')} only`, { allow });
  }
}
