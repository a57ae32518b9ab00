import { ValidationError } from '../errors';

export const UNREADABLE_FORM = 'The form could not be read. Reload the page and try again.';
const NOT_TEXT = 'Send this field as text';

type Fields = Record<string, unknown>;

function isFields(body: unknown): body is Fields {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/**
 * A submitted form's fields, each text. A body that is not a set of fields (a JSON array, say) gets
 * one message for the whole form, and a field that is not text (a field sent twice, an object, a
 * number from JSON: none of which the app's forms send) a message of its own.
 */
export function formFields(body: unknown): Record<string, string> {
  if (body === undefined) return {};
  if (!isFields(body)) throw new ValidationError({ form: UNREADABLE_FORM });
  const notText = Object.entries(body).filter(([, value]) => typeof value !== 'string');
  if (notText.length > 0) {
    // Named above the form too: a field the page shows no message beside (a checkbox) is not left unexplained.
    const names = notText.map(([field]) => field);
    throw new ValidationError({ form: `Send each field as text: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not.`, ...Object.fromEntries(names.map((field) => [field, NOT_TEXT])) });
  }
  return body as Record<string, string>;
}

/** What a form shown again may put back in its fields: the text the user typed, nothing else. */
export function echoedValues(body: unknown): Record<string, string> {
  if (!isFields(body)) return {};
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
