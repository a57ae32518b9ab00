import { z } from 'zod';
import { TODO_STATUSES } from './statuses';
import { isValidDay, today, tomorrow } from '../shared';

export const TITLE_MAX_LENGTH = 255;
export const DETAILS_MAX_LENGTH = 10_000;
export const SEARCH_MAX_LENGTH = 200;
/** Keeps page offsets far below what any engine's OFFSET clause accepts. */
export const MAX_PAGE = 1_000_000;

export const titleField = z
  .string({ required_error: 'Enter a title', invalid_type_error: 'Enter a title' })
  .trim()
  .min(1, 'Enter a title')
  .max(TITLE_MAX_LENGTH, `A title has at most ${TITLE_MAX_LENGTH} characters`);

export const detailsField = z
  .string({ invalid_type_error: 'Details must be text' })
  .max(DETAILS_MAX_LENGTH, `Details have at most ${DETAILS_MAX_LENGTH.toLocaleString('en')} characters`);

export const dayField = z
  .string({ required_error: 'Choose a date', invalid_type_error: 'Choose a date' })
  .trim()
  .refine(isValidDay, 'Enter a valid date (YYYY-MM-DD)');

const statusField = z.enum(TODO_STATUSES, { errorMap: () => ({ message: 'Choose a valid status' }) });

/** The stored fields of a todo, as the service accepts them from any caller. */
export const todoFieldsSchema = z.object({
  title: titleField,
  details: detailsField.default(''),
  scheduledFor: dayField,
});

/** The create/edit form: the day is today, tomorrow, or a chosen date. */
export const todoInputSchema = z
  .object({
    title: titleField,
    details: detailsField.default(''),
    when: z.enum(['today', 'tomorrow', 'date'], { errorMap: () => ({ message: 'Choose when the todo is for' }) }).default('today'),
    date: z.string().trim().optional(),
  })
  .superRefine((value, context) => {
    if (value.when === 'date' && !isValidDay(value.date)) {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['date'], message: 'Enter a valid date (YYYY-MM-DD)' });
    }
  })
  .transform(({ title, details, when, date }) => ({
    title,
    details,
    scheduledFor: when === 'today' ? today() : when === 'tomorrow' ? tomorrow() : (date as string),
  }));

/**
 * Changes to a todo now planned for `currentDay`, as the service accepts them from any caller.
 * A re-assignment moves the todo to `toDate`, or to `scheduledFor` for a caller that names the new
 * day so (the API); errors about that day name the field it came in. The output has the new day
 * in `scheduledFor` either way.
 */
export function todoChangesSchema(currentDay: string) {
  return z
    .object({
      title: titleField.optional(),
      details: detailsField.optional(),
      scheduledFor: dayField.optional(),
      status: statusField.optional(),
      toDate: z.string({ invalid_type_error: 'Choose the day to move the todo to' }).trim().optional(),
    })
    .superRefine((value, context) => {
      if (value.status !== 'reassign') return;
      const dayField = value.toDate === undefined && value.scheduledFor !== undefined ? 'scheduledFor' : 'toDate';
      const day = value[dayField];
      const reject = (path: string, message: string) => context.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
      if (dayField === 'toDate' && value.scheduledFor !== undefined) {
        reject('scheduledFor', 'A re-assignment takes its new day from toDate alone');
      } else if (!isValidDay(day)) {
        reject(dayField, 'Choose the day to move the todo to');
      } else if (day === currentDay) {
        reject(dayField, 'Choose a different day from the one it is planned for');
      }
    })
    .transform(({ toDate, ...changes }) =>
      changes.status === 'reassign' ? { ...changes, scheduledFor: toDate ?? changes.scheduledFor } : changes,
    );
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

export const statusChangeSchema = z
  .object({
    status: statusField,
    toDate: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value ? value : undefined)),
  })
  .superRefine((value, context) => {
    if (value.status === 'reassign' && !isValidDay(value.toDate)) {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['toDate'], message: 'Choose the day to move the todo to' });
    }
  });
