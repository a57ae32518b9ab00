import { Response, Router } from 'express';
import type { TokenService } from './tokenService';
import { actingUser, requireLogin } from '../auth';
import { echoedValues, flash, formFields, submitForm } from '../middleware';
import { recordId } from '../errors';
import type { CreatedToken } from './tokenService';

/** The account's API token settings: list, create (the plaintext is shown once) and revoke. */
export function tokenSettingsRoutes(tokens: TokenService): Router {
  const router = Router();

  async function renderPage(
    res: Response,
    userId: number,
    extra: { created?: CreatedToken; values?: { name?: string }; errors?: Record<string, string> } = {},
  ) {
    res.render('tokens/index', { title: 'API tokens', tokens: await tokens.list(userId), values: {}, ...extra });
  }

  router.get('/account/tokens', requireLogin(), async (req, res) => {
    await renderPage(res, actingUser(req).id);
  });

  router.post('/account/tokens', requireLogin(), async (req, res) => {
    const userId = actingUser(req).id;
    await submitForm(
      res,
      async () => {
        const created = await tokens.create(userId, formFields(req.body).name as string);
        // The plaintext goes straight into this response and nowhere else: no redirect, no session, no cache.
        res.status(201).set('Cache-Control', 'no-store');
        await renderPage(res, userId, { created });
      },
      (errors) => renderPage(res, userId, { values: { name: echoedValues(req.body).name ?? '' }, errors }),
    );
  });

  router.post('/account/tokens/:id/revoke', requireLogin(), async (req, res) => {
    await tokens.revoke(actingUser(req).id, recordId(req.params.id, 'Token'));
    flash(req, 'success', 'The token has been revoked; scripts using it can no longer sign in.');
    res.redirect(303, '/account/tokens');
  });

  return router;
}
