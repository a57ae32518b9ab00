import type { RequestHandler } from 'express';
import { flash } from '../middleware';
import { AppError } from '../errors';
import { noteRefusal } from '../observability';
import { rememberReturnTo } from './safeRedirect';
import type { AuthService } from './service';
import { SESSION_ENDED_MESSAGE, sessionEnded } from './endedSession';

/** Sends visitors to the login page, remembering the page they asked for. */
export function requireLogin(): RequestHandler {
  return (req, res, next) => {
    if (req.user) return next();
    noteRefusal(res, 'auth');
    if (req.method === 'GET' && req.session) rememberReturnTo(req.session, req.originalUrl);
    flash(req, 'info', sessionEnded(res) ? SESSION_ENDED_MESSAGE : 'Please log in to continue.');
    res.redirect(303, '/login');
  };
}

const OPEN_TO_A_TEMPORARY_PASSWORD = new Set(['GET /account', 'POST /account/password', 'POST /logout']);

/** A user logged in with a temporary password from an administrator is led to choose their own first. */
export function requirePasswordChange(): RequestHandler {
  return (req, res, next) => {
    if (!req.user?.mustChangePassword || OPEN_TO_A_TEMPORARY_PASSWORD.has(`${req.method} ${req.path}`)) return next();
    flash(req, 'info', 'An administrator set a temporary password for you: choose your own password to continue.');
    res.redirect(303, '/account');
  };
}

export function requireAdmin(): RequestHandler {
  return (req, _res, next) => {
    if (!req.user?.isAdmin) return next(new AppError('forbidden', 'This page is for administrators only'));
    next();
  };
}

const SETUP_EXEMPT = [/^\/setup$/, /^\/static\//, /^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/api\//];

/**
 * While no account exists every page leads to /setup. Once one exists it always will (the last
 * administrator cannot be deleted), so the answer is kept after the first positive check.
 */
export function setupGate(auth: AuthService): RequestHandler {
  let setupDone = false;
  return async (req, res, next) => {
    if (setupDone || SETUP_EXEMPT.some((pattern) => pattern.test(req.path))) return next();
    setupDone = await auth.hasUsers();
    if (setupDone) return next();
    res.redirect(303, '/setup');
  };
}
