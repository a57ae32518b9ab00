import type { NewTodo, TodoChanges } from '../todos';
import { ValidationError } from '../errors';

/**
 * The API's JSON bodies in the todo service's terms. Only the documented fields are handed on (see
 * docs/openapi.yaml); the service validates them.
 */

type JsonObject = Record<string, unknown>;

export function newTodoOf(body: JsonObject): NewTodo {
  const { title, details, scheduledFor } = body;
  return { title, details, scheduledFor } as NewTodo;
}

const CHANGE_FIELDS = ['title', 'details', 'scheduledFor', 'status'] as const;

/** A PATCH names at least one field; with status "reassign", scheduledFor is the new day. */
export function todoChangesOf(body: JsonObject): TodoChanges {
  const changes = Object.fromEntries(CHANGE_FIELDS.filter((field) => body[field] !== undefined).map((field) => [field, body[field]]));
  if (Object.keys(changes).length === 0) {
    throw new ValidationError({ body: `Send at least one of ${CHANGE_FIELDS.join(', ')}` });
  }
  return changes as TodoChanges;
}
