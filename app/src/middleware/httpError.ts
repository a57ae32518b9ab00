/** An error that knows the HTTP status it should be answered with; its message is safe to show. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly details?: Record<string, string>,
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class NotFoundError extends HttpError {
  constructor(what = 'Page') {
    super(404, `${what} not found`);
  }
}

/** Input that failed validation: `fields` maps each field to the message shown beside it. */
export class ValidationError extends HttpError {
  constructor(public readonly fields: Record<string, string>, message = 'Please correct the highlighted fields') {
    super(422, message, fields);
  }
}
