import { z } from 'zod';

export const tokenNameSchema = z.object({
  name: z
    .string({ required_error: 'Enter a name for the token', invalid_type_error: 'Enter a name for the token' })
    .trim()
    .min(1, 'Enter a name for the token')
    .max(100, 'A token name has at most 100 characters'),
});
