import { Router, type Request, type Response } from 'express';
import type { AuthService } from '../auth';
import { AppError } from '../errors';
import { echoedValues, flash, formFields, submitForm } from '../middleware';
import { alreadySetUp } from './enrolment';
import { refuseUnlessRepeated } from './repeatedPassword';
import { type NewUser, validNewUser } from './schemas';
import type { UserService } from './userService';

const REGISTRATION_CLOSED = 'Registration is closed. Ask an administrator for an account.';

interface AccountForm {
  view: string;
  title: string;
  /** Shown on the login page once the account exists. */
  done: string;
}

const SETUP_FORM: AccountForm = { view: 'auth/setup', title: 'Set up TodoBox', done: 'Your administrator account is ready. Log in to start.' };
const REGISTRATION_FORM: AccountForm = { view: 'auth/register', title: 'Create an account', done: 'Your account is ready. Log in to start.' };

/** Creates the account the form describes with `create`, then sends its owner to log in. */
async function submitNewAccount(
  req: Request,
  res: Response,
  form: AccountForm & { locals?: Record<string, unknown> },
  create: (account: NewUser, fields: Record<string, unknown>) => Promise<unknown>,
): Promise<void> {
  await submitForm(
    res,
    async () => {
      const fields = formFields(req.body);
      const { name, email, password, confirm } = fields;
      const account = { name, email, password } as NewUser;
      refuseUnlessRepeated(password, confirm, 'confirm', () => validNewUser(account));
      await create(account, fields);
      flash(req, 'success', form.done);
      res.redirect(303, '/login');
    },
    (errors) => res.render(form.view, { title: form.title, ...form.locals, errors, values: echoedValues(req.body) }),
  );
}

/** How accounts come to be without an administrator: the first one at /setup, then /register while it is open. */
export function enrolmentRoutes(users: UserService, auth: Pick<AuthService, 'hasUsers'>, options: { registrationOpen: boolean }): Router {
  const router = Router();

  const setupForm = { ...SETUP_FORM, locals: { setupTokenRequired: users.setupTokenRequired } };

  router.get('/setup', async (_req, res) => {
    if (await auth.hasUsers()) return res.redirect(303, '/');
    res.render(SETUP_FORM.view, { title: SETUP_FORM.title, ...setupForm.locals, values: {} });
  });

  router.post('/setup', async (req, res) => {
    if (await auth.hasUsers()) throw alreadySetUp();
    await submitNewAccount(req, res, setupForm, (account, fields) => users.createFirstAdministrator(account, fields.setupToken));
  });

  router.get('/register', (_req, res) => {
    if (!options.registrationOpen) throw new AppError('not-found', REGISTRATION_CLOSED);
    res.render(REGISTRATION_FORM.view, { title: REGISTRATION_FORM.title, values: {} });
  });

  router.post('/register', async (req, res) => {
    if (!options.registrationOpen) throw new AppError('not-found', REGISTRATION_CLOSED);
    await submitNewAccount(req, res, REGISTRATION_FORM, (account) => users.create(account));
  });

  return router;
}
