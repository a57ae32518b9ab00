import { z } from 'zod';
import { TODO_STATUSES } from './statuses';
import { isValidDay, today, tomorrow } from '../shared';

export const TITLE_MAX_LENGTH = 255;
export const DETAILS_MAX_LENGTH = 10_000;
export const SEARCH_MAX_LENGTH = 200;
/** Keeps page offsets far below what any engine's OFFSET clause accepts. */
export const MAX_PAGE = 1_000_000;

const titleField = z
  .string({ required_error: 'Enter a title', invalid_type_error: 'Enter a title' })
  .trim()
  .min(1, 'Enter a title')
  .max(TITLE_MAX_LENGTH, `A title has at most ${TITLE_MAX_LENGTH} characters`);

const detailsField = z
  .string({ invalid_type_error: 'Details must be text' })
  .max(DETAILS_MAX_LENGTH, `Details have at most ${DETAILS_MAX_LENGTH.toLocaleString('en')} characters`);

const dayField = z
  .string({ required_error: 'Choose a date', invalid_type_error: 'Choose a date' })
  .trim()
  .refine(isValidDay, 'Enter a valid date (YYYY-MM-DD)');

const statusField = z.enum(TODO_STATUSES, {
  errorMap: (issue) => ({
    message: issue.code === 'invalid_type' && issue.received === 'undefined' ? 'Choose a status' : `Choose a valid status (${TODO_STATUSES.join(', ')})`,
  }),
});

/** A day named relative to today, where a caller offers "today" and "tomorrow" rather than a date. */
const RELATIVE_DAYS = ['today', 'tomorrow'] as const;
export type RelativeDay = (typeof RELATIVE_DAYS)[number];
const relativeDayField = z.enum(RELATIVE_DAYS, { errorMap: () => ({ message: 'Choose when the todo is for' }) });

/** A day is given as a date or as a relative day, never both. */
function oneWayOfGivingTheDay(value: { scheduledFor?: string; day?: RelativeDay }, context: z.RefinementCtx): void {
  if (value.scheduledFor !== undefined && value.day !== undefined) {
    context.addIssue({ code: z.ZodIssueCode.custom, path: ['day'], message: 'Give the day as a date or as today or tomorrow, not both' });
  }
}

/** The day a relative day is, decided here alone (the day lists read "today" from the same clock). */
function dayFrom(day: RelativeDay): string {
  return day === 'today' ? today() : tomorrow();
}

/**
 * A new todo, as the service takes it from any caller: planned for `scheduledFor`, or for the
 * relative `day`, or else for today.
 */
export const newTodoSchema = z
  .object({
    title: titleField,
    details: detailsField.default(''),
    scheduledFor: dayField.optional(),
    day: relativeDayField.optional(),
  })
  .superRefine(oneWayOfGivingTheDay)
  .transform(({ title, details, scheduledFor, day }) => ({ title, details, scheduledFor: scheduledFor ?? dayFrom(day ?? 'today') }));

/**
 * Changes to a todo now planned for `currentDay`, as the service takes them from any caller. A
 * re-assignment (status `reassign`) moves the todo to another day, given as `scheduledFor` or `day`.
 * The output names the new day, if any, in `scheduledFor`.
 */
export function todoChangesSchema(currentDay: string, { statusRequired = false } = {}) {
  return z
    .object({
      title: titleField.optional(),
      details: detailsField.optional(),
      scheduledFor: dayField.optional(),
      day: relativeDayField.optional(),
      status: statusRequired ? statusField : statusField.optional(),
    })
    .superRefine(oneWayOfGivingTheDay)
    .transform(({ day, ...changes }) => (day === undefined ? changes : { ...changes, scheduledFor: dayFrom(day) }))
    .superRefine((changes, context) => {
      if (changes.status !== 'reassign') return;
      const reject = (message: string) => context.addIssue({ code: z.ZodIssueCode.custom, path: ['scheduledFor'], message });
      if (changes.scheduledFor === undefined) reject('Choose the day to move the todo to');
      else if (changes.scheduledFor === currentDay) reject('Choose a different day from the one it is planned for');
    });
}

/** The page sizes a list page offers; the configured PAGE_SIZE is always among them. */
export const LIST_PAGE_SIZES = [25, 50, 100] as const;
export const LIST_MAX_PAGE_SIZE = 100;

/**
 * A list page's query string: a bad page number falls back to the first page, and a bad page size
 * to the configured one, instead of failing.
 */
export const listPageQuerySchema = z.object({
  q: z
    .string()
    .optional()
    .catch(undefined)
    .transform((value) => value?.trim().slice(0, SEARCH_MAX_LENGTH) ?? ''),
  page: z.coerce.number().int().min(1).max(MAX_PAGE).catch(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(LIST_MAX_PAGE_SIZE).optional().catch(undefined),
});
