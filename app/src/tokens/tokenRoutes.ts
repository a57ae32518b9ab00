import { Request, Response, Router } from 'express';
import type { TokenService } from './tokenService';
import { actingUser, requireLogin } from '../auth';
import { echoedValues, flash, formFields, submitForm } from '../middleware';
import { recordId } from '../errors';
import type { CreatedToken } from './tokenService';

type NewToken = Pick<CreatedToken, 'name' | 'token'>;

/** How long a new token waits in the session for the page that shows it (the redirect follows at once). */
const NEW_TOKEN_SHOWN_WITHIN_MS = 5 * 60 * 1000;

/**
 * The new token's plaintext, handed from the form's POST to the page its redirect shows, and taken
 * out of the session there: reloading that page neither shows it again nor creates another token.
 */
function takeNewToken(req: Request): NewToken | undefined {
  const waiting = req.session.newToken;
  if (!waiting) return undefined;
  delete req.session.newToken;
  return waiting.until < Date.now() ? undefined : { name: waiting.name, token: waiting.token };
}

/** The account's API token settings: list, create (post, redirect, show the plaintext once) and revoke. */
export function tokenSettingsRoutes(tokens: TokenService): Router {
  const router = Router();

  async function renderPage(
    res: Response,
    userId: number,
    extra: { created?: NewToken; values?: { name?: string }; errors?: Record<string, string> } = {},
  ) {
    res.render('tokens/index', { title: 'API tokens', tokens: await tokens.list(userId), values: {}, ...extra });
  }

  router.get('/account/tokens', requireLogin(), async (req, res) => {
    await renderPage(res, actingUser(req).id, { created: takeNewToken(req) });
  });

  router.post('/account/tokens', requireLogin(), async (req, res) => {
    const userId = actingUser(req).id;
    await submitForm(
      res,
      async () => {
        const created = await tokens.create(userId, formFields(req.body).name);
        req.session.newToken = { name: created.name, token: created.token, until: Date.now() + NEW_TOKEN_SHOWN_WITHIN_MS };
        res.redirect(303, '/account/tokens');
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
