import type { Request, RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { safeRedirectPath } from './safeRedirect';

/** How long what a user typed waits for them to log in again. */
export const FORM_DRAFT_LIFETIME_MS = 10 * 60 * 1000;
/** The most a draft may hold: a todo's 10,000 characters of details and the rest, with room to spare. */
export const FORM_DRAFT_MAX_BYTES = 64 * 1024;

export const FORM_DRAFT_KEPT_MESSAGE = 'What you typed is kept: after logging in you are brought back to the form, filled in again.';
export const FORM_DRAFT_OFFERED_MESSAGE = 'This is what you typed before your session ended. Check it and send the form again.';

/** Never kept: a password, a confirmation of one, a token, the form's own CSRF token. */
const SECRET_FIELD = /password|confirm|token|secret|^_csrf$/i;
/** Pages whose forms are the login itself: nothing to come back to. */
const AUTH_PAGES = new Set(['/login', '/logout', '/register', '/setup']);

export type FormDraft = NonNullable<SessionData['formDraft']>;

function hostOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  try {
    return new URL(address).host;
  } catch {
    return undefined;
  }
}

/**
 * The page of this site that showed the form, when the browser says the form was sent from it:
 * Sec-Fetch-Site, where the browser sends it, says same-origin; Origin and Referer name this host.
 */
function formPage(req: Request): string | undefined {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return undefined;
  const origin = req.get('origin');
  if (origin !== undefined && hostOf(origin) !== req.get('host')) return undefined;
  const referer = req.get('referer');
  if (referer === undefined || hostOf(referer) !== req.get('host')) return undefined;
  const url = new URL(referer);
  const page = safeRedirectPath(`${url.pathname}${url.search}`);
  return AUTH_PAGES.has(url.pathname) || page !== `${url.pathname}${url.search}` ? undefined : page;
}

/**
 * Keeps, in this browser's session, what a form of this site sent when the login behind it had
 * ended: never acted on (its CSRF token belonged to the ended session), only offered back on the
 * form's page after the same user logs in again in the same browser. `userId` is who was logged in:
 * a draft whose author is unknown could be shown to whoever logs in next at that browser.
 */
export function keepFormDraft(req: Request, userId: number): boolean {
  if (req.method !== 'POST' || !req.is('application/x-www-form-urlencoded') || !req.session) return false;
  const page = formPage(req);
  if (page === undefined) return false;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const fields = Object.fromEntries(Object.entries(body).filter(([name, value]) => !SECRET_FIELD.test(name) && typeof value === 'string')) as Record<string, string>;
  if (Object.keys(fields).length === 0 || Buffer.byteLength(JSON.stringify(fields)) > FORM_DRAFT_MAX_BYTES) return false;
  req.session.formDraft = { page, fields, savedAt: Date.now(), userId };
  return true;
}

/** The draft a login may bring its user back to: fresh, and typed by this very user. */
export function draftFor(draft: FormDraft | undefined, userId: number, now = Date.now()): FormDraft | undefined {
  if (!draft || now - draft.savedAt > FORM_DRAFT_LIFETIME_MS) return undefined;
  return draft.userId === userId ? draft : undefined;
}

/**
 * On the form's page, once logged in again, hands the draft to the page (app.js fills the form from
 * it), once: the draft leaves the session as soon as it is shown, or when it is stale.
 */
export function offerFormDrafts(): RequestHandler {
  return (req, res, next) => {
    const kept = req.session?.formDraft;
    if (!kept || !req.user) return next();
    const draft = draftFor(kept, req.user.id);
    if (draft && req.method !== 'GET') return next();
    if (draft && draft.page !== req.originalUrl) return next();
    delete req.session.formDraft;
    if (draft) {
      res.locals.formDraft = JSON.stringify(draft.fields);
      res.locals.flash = [...((res.locals.flash as unknown[]) ?? []), { type: 'info', message: FORM_DRAFT_OFFERED_MESSAGE }];
    }
    next();
  };
}
