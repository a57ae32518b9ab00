import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords';

/** A ticked checkbox sends `on` (or true/1 from scripts); any other value, or none, means unticked. */
export function isTicked(value: unknown): boolean {
  return value === true || value === 1 || value === 'on' || value === 'true' || value === '1';
}

const checkbox = z.unknown().transform(isTicked);

/** A body that is not a set of form fields (a JSON array, say) gets one message for the whole form. */
const formBody = { invalid_type_error: 'The form could not be read. Reload the page and try again.' };

export const emailField = z
  .string({ required_error: 'Enter your email address', invalid_type_error: 'Enter your email address' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter your email address')
  .max(254, 'An email address has at most 254 characters')
  .email('Enter a valid email address');

export const nameField = z
  .string({ required_error: 'Enter a name', invalid_type_error: 'Enter a name' })
  .trim()
  .min(1, 'Enter a name')
  .max(100, 'A name has at most 100 characters');

export const newPasswordField = z
  .string({ required_error: 'Enter a password', invalid_type_error: 'Enter a password' })
  .min(PASSWORD_MIN_LENGTH, `A password needs at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `A password has at most ${PASSWORD_MAX_LENGTH} characters`);

export const loginSchema = z.object(
  {
    email: z.string({ required_error: 'Enter your email address', invalid_type_error: 'Enter your email address' }).trim().toLowerCase().min(1, 'Enter your email address').max(254, 'An email address has at most 254 characters'),
    password: z.string({ required_error: 'Enter your password', invalid_type_error: 'Enter your password' }).min(1, 'Enter your password').max(PASSWORD_MAX_LENGTH, 'Invalid email or password'),
    remember: checkbox,
  },
  formBody,
);

