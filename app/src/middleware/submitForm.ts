import type { Response } from 'express';
import { ValidationError } from '../errors';

/**
 * One form's submission. `save` validates the input, stores it and answers; if it throws a
 * ValidationError (from the form's schema or from the service) nothing was stored, and the form is
 * shown again by `showAgain` with status 422, each field's message beside it.
 */
export async function submitForm(res: Response, save: () => Promise<unknown>, showAgain: (fields: Record<string, string>) => unknown): Promise<void> {
  try {
    await save();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    res.status(422);
    await showAgain(error.fields);
  }
}
