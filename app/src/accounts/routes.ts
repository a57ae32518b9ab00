import { Router, type Response } from 'express';
import type { UserService } from './userService';
import { actingUser, renewSessionId, requireLogin } from '../auth';
import { echoedValues, flash, formFields, submitForm } from '../middleware';
import { AppError } from '../errors';
import { refuseUnlessRepeated } from './repeatedPassword';
import { validPasswordChange } from './schemas';

interface AccountPageLocals {
  profile: { name?: unknown; email?: unknown };
  profileErrors?: Record<string, string>;
  passwordErrors?: Record<string, string>;
}

function renderAccount(res: Response, status: number, locals: AccountPageLocals): void {
  res.status(status).render('accounts/account', { title: 'Your account', ...locals });
}

export function accountRoutes(users: UserService): Router {
  const router = Router();
  const loggedIn = requireLogin();

  router.get('/account', loggedIn, (req, res) => {
    const user = actingUser(req);
    renderAccount(res, 200, { profile: { name: user.name, email: user.email } });
  });

  router.post('/account/profile', loggedIn, async (req, res) => {
    const user = actingUser(req);
    await submitForm(
      res,
      async () => {
        const { name, email } = formFields(req.body);
        await users.updateProfile(user.id, { name, email } as { name: string; email: string });
        flash(req, 'success', 'Your profile has been saved.');
        res.redirect(303, '/account');
      },
      (profileErrors) => renderAccount(res, 422, { profile: echoedValues(req.body), profileErrors }),
    );
  });

  router.post('/account/password', loggedIn, async (req, res) => {
    const user = actingUser(req);
    await submitForm(
      res,
      async () => {
        const { currentPassword, newPassword, confirmPassword } = formFields(req.body);
        refuseUnlessRepeated(newPassword, confirmPassword, 'confirmPassword', () => validPasswordChange({ currentPassword, newPassword }));
        // The new authVersion ends every other session; this one adopts it under a new id and stays logged in.
        await renewSessionId(req, await users.changePassword(user.id, currentPassword, newPassword));
        flash(req, 'success', 'Your password has been changed. Your other sessions have been logged out and your API tokens revoked.');
        res.redirect(303, '/account');
      },
      (passwordErrors) => renderAccount(res, 422, { profile: { name: user.name, email: user.email }, passwordErrors }),
    );
  });

  router.get('/account/delete', loggedIn, async (req, res) => {
    const user = actingUser(req);
    let refusal: string | undefined;
    try {
      await users.assertOwnAccountDeletable(user.id);
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'refused') throw error;
      refusal = error.message;
    }
    res.render('accounts/delete', { title: 'Delete your account', refusal });
  });

  router.post('/account/delete', loggedIn, async (req, res, next) => {
    const user = actingUser(req);
    await submitForm(
      res,
      async () => {
        await users.deleteOwnAccount(user.id, formFields(req.body).password);
        // logout() replaces the session with a fresh one, which carries only the goodbye message.
        req.logout((error) => {
          if (error) return next(error);
          flash(req, 'success', 'Your account and all its data have been deleted.');
          res.redirect(303, '/login');
        });
      },
      (errors) => res.render('accounts/delete', { title: 'Delete your account', errors }),
    );
  });

  return router;
}
