import { Router, type Request, type Response } from 'express';
import { type NewUser, refuseUnlessRepeated, type UserService, type UserSummary, validNewUser, validPasswordReset } from '../accounts';
import { actingUser, isTicked, requireAdmin, requireLogin } from '../auth';
import { echoedValues, flash, formFields, submitForm } from '../middleware';
import { AppError, recordId } from '../errors';

const USERS_PAGE = '/admin/users';

function targetUserId(req: Request): number {
  return recordId(req.params.id, 'User');
}

/** A rule the service refused (own account, last administrator) goes back to the users page as an error message. */
/** Where a refusal leads, and how its message is shown there. */
interface RefusalAnswer {
  page: string;
  kind: 'error' | 'info';
}

async function refusalToFlash(req: Request, res: Response, action: () => Promise<void>, answer: RefusalAnswer = { page: USERS_PAGE, kind: 'error' }): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof AppError) || error.kind !== 'refused') throw error;
    flash(req, answer.kind, error.message);
    res.redirect(303, answer.page);
  }
}

export function adminRoutes(users: UserService): Router {
  const router = Router();
  router.use(requireLogin(), requireAdmin());

  const userActions: Record<string, { run: (actorId: number, id: number) => Promise<UserSummary>; done: string }> = {
    block: { run: (actorId, id) => users.setBlocked(actorId, id, true), done: 'is blocked; their sessions have ended and their API tokens are revoked' },
    unblock: { run: (actorId, id) => users.setBlocked(actorId, id, false), done: 'is unblocked' },
    'grant-admin': { run: (actorId, id) => users.setAdmin(actorId, id, true), done: 'is now an administrator' },
    'revoke-admin': { run: (actorId, id) => users.setAdmin(actorId, id, false), done: 'is no longer an administrator' },
  };

  router.get('/users', async (req, res) => {
    const actor = actingUser(req);
    const list = (await users.list()).map((user) => ({ ...user, isSelf: user.id === actor.id }));
    res.render('admin/users', { title: 'Users', users: list });
  });

  router.get('/users/new', (_req, res) => {
    res.render('admin/new', { title: 'New user', values: {} });
  });

  router.post('/users', async (req, res) => {
    await submitForm(
      res,
      async () => {
        const { name, email, password, confirm, isAdmin } = formFields(req.body);
        const account = { name, email, password, isAdmin: isTicked(isAdmin) } as NewUser;
        refuseUnlessRepeated(password, confirm, 'confirm', () => validNewUser(account));
        const created = await users.create(account);
        flash(req, 'success', `The account for ${created.email} has been created.`);
        res.redirect(303, USERS_PAGE);
      },
      (errors) => res.render('admin/new', { title: 'New user', errors, values: echoedValues(req.body) }),
    );
  });

  for (const [path, action] of Object.entries(userActions)) {
    router.post(`/users/:id/${path}`, async (req, res) => {
      const actor = actingUser(req);
      const id = targetUserId(req);
      await refusalToFlash(req, res, async () => {
        const user = await action.run(actor.id, id);
        flash(req, 'success', `${user.email} ${action.done}.`);
        res.redirect(303, USERS_PAGE);
      });
    });
  }

  // An administrator's own password is changed on the account page, where the refusal leads them.
  router.get('/users/:id/password', async (req, res) => {
    await refusalToFlash(
      req,
      res,
      async () => {
        const user = await users.passwordResetTarget(actingUser(req).id, targetUserId(req));
        res.render('admin/password', { title: `Set a password for ${user.email}`, user });
      },
      { page: '/account', kind: 'info' },
    );
  });

  router.post('/users/:id/password', async (req, res) => {
    const actor = actingUser(req);
    const id = targetUserId(req);
    await refusalToFlash(req, res, async () => {
      const user = await users.get(id);
      await submitForm(
        res,
        async () => {
          const { password, confirm } = formFields(req.body);
          refuseUnlessRepeated(password, confirm, 'confirm', () => validPasswordReset({ password }));
          await users.resetPassword(actor.id, id, password, { temporary: true });
          flash(req, 'success', `${user.email} has a temporary password, to be replaced at their next login; their sessions have ended and their API tokens are revoked.`);
          res.redirect(303, USERS_PAGE);
        },
        (errors) => res.render('admin/password', { title: `Set a password for ${user.email}`, user, errors }),
      );
    });
  });

  router.get('/users/:id/delete', async (req, res) => {
    const actor = actingUser(req);
    const id = targetUserId(req);
    await refusalToFlash(req, res, async () => {
      const user = await users.assertDeletable(actor.id, id);
      res.render('admin/delete', { title: `Delete ${user.email}`, user });
    });
  });

  router.post('/users/:id/delete', async (req, res) => {
    const actor = actingUser(req);
    const id = targetUserId(req);
    await refusalToFlash(req, res, async () => {
      const user = await users.get(id);
      await users.delete(actor.id, id);
      flash(req, 'success', `The account for ${user.email} and all its data have been deleted.`);
      res.redirect(303, USERS_PAGE);
    });
  });

  return router;
}
