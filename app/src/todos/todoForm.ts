import type { TodoStatus } from './statuses';
import type { NewTodo, TodoView } from './types';

/**
 * The todo forms' fields in the service's terms and back: the forms choose a day as "today",
 * "tomorrow" or a date, and a re-assignment's new day as `toDate`. Nothing is checked here; the
 * service validates what it stores, and its messages are put back beside the fields they concern.
 */

type FormBody = Record<string, unknown>;

/** The create and edit form's values, as shown in its fields. */
export interface TodoFormValues {
  title?: unknown;
  details?: unknown;
  when?: unknown;
  date?: unknown;
}

/** The create or edit form, as the service's new todo (or changes: the same fields). */
export function todoFromForm(body: FormBody): NewTodo {
  const { title, details, when, date } = body;
  const day = when === 'date' ? { scheduledFor: date ?? '' } : { day: when };
  // The service validates every field; until then they are whatever the browser sent.
  return { title, details, ...day } as NewTodo;
}

/** The form's values for a stored todo: its own day, as a date. */
export function formValuesOf(todo: TodoView): TodoFormValues {
  return { title: todo.title, details: todo.details, when: 'date', date: todo.scheduledFor };
}

/** The service's messages, by the create and edit form's field names. */
export function todoFormErrors(fields: Record<string, string>): Record<string, string> {
  const { scheduledFor, day, ...rest } = fields;
  return { ...rest, ...(scheduledFor && { date: scheduledFor }), ...(day && { when: day }) };
}

/** The status form: a status, and with `reassign` the day in `toDate` (left empty: none chosen). */
export function statusChangeFromForm(body: FormBody): { status: TodoStatus; scheduledFor?: string } {
  const { status, toDate } = body;
  const newDay = status === 'reassign' && toDate !== '' ? toDate : undefined;
  return { status, scheduledFor: newDay } as { status: TodoStatus; scheduledFor?: string };
}

/** The service's messages, by the status form's field names. */
export function statusFormErrors(fields: Record<string, string>): Record<string, string> {
  const { scheduledFor, ...rest } = fields;
  return { ...rest, ...(scheduledFor && { toDate: scheduledFor }) };
}
