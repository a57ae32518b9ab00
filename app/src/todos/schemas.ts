import { z } from 'zod';
import { TODO_STATUSES } from './statuses';
import { isValidDay, today, tomorrow } from './dates';

export const TITLE_MAX_LENGTH = 255;
export const DETAILS_MAX_LENGTH = 10_000;

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

export const statusChangeSchema = z
  .object({
    status: z.enum(TODO_STATUSES, { errorMap: () => ({ message: 'Choose a valid status' }) }),
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

export type StatusChange = z.infer<typeof statusChangeSchema>;
