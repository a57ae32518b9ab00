import { z } from 'zod';
import { emailField, nameField, newPasswordField, PASSWORD_MAX_LENGTH } from '../auth';
import { validate } from '../errors';

/** What the user service stores, checked by the service itself whoever calls it. */

const currentPasswordField = (missing: string) =>
  z
    .string({ required_error: missing, invalid_type_error: missing })
    .min(1, missing)
    .max(PASSWORD_MAX_LENGTH, 'The password is not correct');

const newUserSchema = z.object({
  name: nameField,
  email: emailField,
  password: newPasswordField,
  isAdmin: z.boolean().default(false),
});

const profileSchema = z.object({ name: nameField, email: emailField });

const passwordChangeSchema = z.object({
  currentPassword: currentPasswordField('Enter your current password'),
  newPassword: newPasswordField,
});

const ownPasswordSchema = z.object({ password: currentPasswordField('Enter your password') });

export interface NewUser {
  name: string;
  email: string;
  password: string;
  isAdmin?: boolean;
}

export const validNewUser = (input: NewUser) => validate(newUserSchema, input);
export const validProfile = (input: { name: string; email: string }) => validate(profileSchema, input);
export const validPasswordChange = (input: { currentPassword: string; newPassword: string }) => validate(passwordChangeSchema, input);
export const validOwnPassword = (password: string) => validate(ownPasswordSchema, { password }).password;

const passwordResetSchema = z.object({ password: newPasswordField });
export const validPasswordReset = (input: { password: unknown }) => validate(passwordResetSchema, input);
