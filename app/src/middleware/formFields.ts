import { ValidationError } from '../errors';

export const UNREADABLE_FORM = 'The form could not be read. Reload the page and try again.';

/** A submitted form's fields; a body that is not a set of fields (a JSON array, say) gets one message for the whole form. */
export function formFields(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError({ form: UNREADABLE_FORM });
  return body as Record<string, unknown>;
}
