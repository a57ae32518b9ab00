import { z } from 'zod';
import { checkbox, emailField, nameField, newPasswordField } from '../auth';

export const newUserSchema = z
  .object({
    name: nameField,
    email: emailField,
    password: newPasswordField,
    confirm: z.string({ required_error: 'Repeat the password' }),
    isAdmin: checkbox,
  })
  .refine((value) => value.password === value.confirm, { path: ['confirm'], message: 'The passwords do not match' });
