import { Router, type Response } from 'express';
import type { Logger, Metrics } from '../observability';
import { noteRefusal, requestIdOf } from '../observability';
import { validate, ValidationError } from '../errors';
import { echoedValues, formFields } from '../middleware';
import { clientAddress, configurePassport, type LoginRefusal } from './passport';
import { describeWait } from './loginThrottle';
import { draftFor } from './formDrafts';
import { safeRedirectPath } from './safeRedirect';
import { loginSchema } from './schemas';
import { rememberLogin, SESSION_COOKIE_NAME } from './session';

type Authenticator = ReturnType<typeof configurePassport>;

export function authRoutes(
  logger: Logger,
  authenticator: Authenticator,
  metrics: Pick<Metrics, 'loginAttempts'>,
): Router {
  const router = Router();

  function renderLogin(res: Response, status: number, locals: Record<string, unknown>) {
    res.status(status).render('auth/login', { title: 'Log in', ...locals });
  }

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, '/');
    renderLogin(res, 200, { values: {} });
  });

  router.post('/login', async (req, res, next) => {
    let input;
    try {
      input = validate(loginSchema, formFields(req.body));
    } catch (error) {
      if (error instanceof ValidationError) return renderLogin(res, 422, { errors: error.fields, values: echoedValues(req.body) });
      throw error;
    }
    const address = clientAddress(req);
    const returnTo = safeRedirectPath(req.session.returnTo);
    // The login starts a new session: what the ended one kept is carried over.
    const keptDraft = req.session.formDraft;
    authenticator.authenticate('local', (error: unknown, user: Express.User | false, refusal?: LoginRefusal) => {
      if (error) return next(error);
      if (!user) {
        const values = { email: input.email };
        if (refusal?.message === 'throttled') {
          metrics.loginAttempts.inc({ result: 'throttled' });
          noteRefusal(res, 'rate_limited');
          logger.warn('Login throttled: too many failed attempts', { event: 'login_throttled', login: input.email, ip: address, requestId: requestIdOf(res) });
          res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
          return renderLogin(res, 429, {
            values,
            error: `Too many failed login attempts. Try again in ${describeWait(refusal.retryAfterSeconds)}.`,
          });
        }
        const blocked = refusal?.message === 'blocked';
        metrics.loginAttempts.inc({ result: 'failure' });
        logger.warn('Invalid username or password', {
          event: blocked ? 'login_failed_blocked' : 'login_failed',
          login: input.email,
          ip: address,
          requestId: requestIdOf(res),
        });
        return renderLogin(res, 401, {
          values,
          error: blocked ? 'This account is blocked. Please contact an administrator.' : 'Invalid email or password.',
        });
      }
      req.login(user, (loginError) => {
        if (loginError) return next(loginError);
        const now = Date.now();
        req.session.lastSeenAt = now;
        req.session.authVersion = user.authVersion;
        if (input.remember) rememberLogin(req.session, now);
        const draft = draftFor(keptDraft, user.id, now);
        if (draft) req.session.formDraft = draft;
        metrics.loginAttempts.inc({ result: 'success' });
        logger.info('Login succeeded', { event: 'login_succeeded', userId: user.id, ip: address, requestId: requestIdOf(res) });
        res.redirect(303, draft ? draft.page : returnTo);
      });
    })(req, res, next);
  });

  router.post('/logout', (req, res, next) => {
    req.logout((error) => {
      if (error) return next(error);
      req.session.destroy((destroyError) => {
        if (destroyError) return next(destroyError);
        res.clearCookie(SESSION_COOKIE_NAME);
        res.redirect(303, '/login');
      });
    });
  });

  return router;
}
