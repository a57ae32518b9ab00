import { z } from 'zod';
import { emailField, formBody, nameField, newPasswordField, PASSWORD_MAX_LENGTH } from '../auth';

const currentPasswordField = (missing: string) =>
  z
    .string({ required_error: missing })
    .min(1, missing)
    .max(PASSWORD_MAX_LENGTH, 'The password is not correct');

export const newAccountSchema = z
  .object(
    {
      name: nameField,
      email: emailField,
      password: newPasswordField,
      confirm: z.string({ required_error: 'Repeat the password' }),
    },
    formBody,
  )
  .refine((value) => value.password === value.confirm, { path: ['confirm'], message: 'The passwords do not match' });

export const profileSchema = z.object({ name: nameField, email: emailField });

export const passwordChangeSchema = z
  .object({
    currentPassword: currentPasswordField('Enter your current password'),
    newPassword: newPasswordField,
    confirmPassword: z.string({ required_error: 'Repeat the new password' }),
  })
  .refine((value) => value.newPassword === value.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match',
  });

export const accountDeletionSchema = z.object({ password: currentPasswordField('Enter your password') });
