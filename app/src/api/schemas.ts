import { z } from 'zod';
import { MAX_PAGE, SEARCH_MAX_LENGTH, TODO_LISTS, TODO_STATUSES } from '../todos';

const API_MAX_PAGE_SIZE = 100;

const statusField = z.enum(TODO_STATUSES, {
  errorMap: () => ({ message: `The status must be one of: ${TODO_STATUSES.join(', ')}` }),
});

function wholeNumber(name: string, min: number, max: number) {
  const message = `The ${name} must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ invalid_type_error: message }).int(message).min(min, message).max(max, message);
}

export const apiListQuerySchema = z.object({
  list: z
    .enum(TODO_LISTS, { errorMap: () => ({ message: `The list must be one of: ${TODO_LISTS.join(', ')}` }) })
    .optional(),
  q: z
    .string({ invalid_type_error: 'Give one search text' })
    .trim()
    .max(SEARCH_MAX_LENGTH, `A search has at most ${SEARCH_MAX_LENGTH} characters`)
    .optional(),
  page: wholeNumber('page', 1, MAX_PAGE).default(1),
  pageSize: wholeNumber('page size', 1, API_MAX_PAGE_SIZE).optional(),
  status: statusField.optional(),
});
