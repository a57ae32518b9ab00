import type { z, ZodTypeAny } from 'zod';
import { ValidationError } from './appError';

/** Parses input with a schema; on failure throws a ValidationError with one message per field. */
export function validate<S extends ZodTypeAny>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.join('.') || 'form';
    fields[field] ??= issue.message;
  }
  throw new ValidationError(fields);
}
