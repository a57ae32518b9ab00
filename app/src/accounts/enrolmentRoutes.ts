import { Router } from 'express';
import type { AuthService } from '../auth';
import { AppError, validate } from '../errors';
import { flash, submitForm } from '../middleware';
import { newAccountSchema } from './schemas';
import { alreadySetUp, type UserService } from './userService';

const REGISTRATION_CLOSED = 'Registration is closed. Ask an administrator for an account.';

/** How accounts come to be without an administrator: the first one at /setup, then /register while it is open. */
export function enrolmentRoutes(users: UserService, auth: Pick<AuthService, 'hasUsers'>, options: { registrationOpen: boolean }): Router {
  const router = Router();

  router.get('/setup', async (_req, res) => {
    if (await auth.hasUsers()) return res.redirect(303, '/');
    res.render('auth/setup', { title: 'Set up TodoBox', values: {} });
  });

  router.post('/setup', async (req, res) => {
    if (await auth.hasUsers()) throw alreadySetUp();
    await submitForm(
      res,
      async () => {
        const input = validate(newAccountSchema, req.body);
        await users.createFirstAdministrator({ name: input.name, email: input.email, password: input.password });
        flash(req, 'success', 'Your administrator account is ready. Log in to start.');
        res.redirect(303, '/login');
      },
      (errors) => res.render('auth/setup', { title: 'Set up TodoBox', errors, values: req.body }),
    );
  });

  router.get('/register', (_req, res) => {
    if (!options.registrationOpen) throw new AppError('not-found', REGISTRATION_CLOSED);
    res.render('auth/register', { title: 'Create an account', values: {} });
  });

  router.post('/register', async (req, res) => {
    if (!options.registrationOpen) throw new AppError('not-found', REGISTRATION_CLOSED);
    await submitForm(
      res,
      async () => {
        const input = validate(newAccountSchema, req.body);
        await users.create({ name: input.name, email: input.email, password: input.password });
        flash(req, 'success', 'Your account is ready. Log in to start.');
        res.redirect(303, '/login');
      },
      (errors) => res.render('auth/register', { title: 'Create an account', errors, values: req.body }),
    );
  });

  return router;
}
