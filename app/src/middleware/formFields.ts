import { ValidationError } from '../errors';

export const UNREADABLE_FORM = 'The form could not be read. Reload the page and try again.';
const NOT_TEXT = 'Send this field as text';

type Fields = Record<string, unknown>;

function isFields(body: unknown): body is Fields {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/**
 * A submitted form's fields. A body that is not a set of fields (a JSON array, say) gets one message
 * for the whole form, and a field that is an object (which no browser sends) a message of its own.
 */
export function formFields(body: unknown): Fields {
  if (body === undefined) return {};
  if (!isFields(body)) throw new ValidationError({ form: UNREADABLE_FORM });
  const objects = Object.entries(body).filter(([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value));
  if (objects.length > 0) throw new ValidationError(Object.fromEntries(objects.map(([field]) => [field, NOT_TEXT])));
  return body;
}

/** What a form shown again may put back in its fields: the text the user typed, nothing else. */
export function echoedValues(body: unknown): Record<string, string> {
  if (!isFields(body)) return {};
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
