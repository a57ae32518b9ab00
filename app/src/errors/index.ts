export { AppError, ERROR_KINDS, MethodNotAllowedError, NotFoundError, ValidationError } from './appError';
export type { AppErrorOptions, ErrorKind } from './appError';
export { httpHeadersOf, httpStatusOf } from './httpStatus';
export { recordId } from './recordId';
export { validate } from './validate';
