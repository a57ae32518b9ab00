import { ValidationError } from '../errors';

/**
 * A form that asks for a new password twice. When the two differ nothing is stored: the form says
 * so beside the repeat, together with what `check` (the service's own validation of the other
 * fields) says of them, so every message shows at once.
 */
export function refuseUnlessRepeated(password: unknown, repeat: unknown, repeatField: string, check: () => unknown): void {
  if (repeat !== undefined && repeat === password) return;
  const mismatch = { [repeatField]: repeat === undefined || repeat === '' ? 'Repeat the password' : 'The passwords do not match' };
  let otherFields: Record<string, string> = {};
  try {
    check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    otherFields = error.fields;
  }
  throw new ValidationError({ ...otherFields, ...mismatch });
}
