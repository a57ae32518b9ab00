import type { Request, RequestHandler, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { sign, unsign } from 'cookie-signature';

type FlashType = 'success' | 'error' | 'info';

interface FlashMessage {
  type: FlashType;
  message: string;
}

export const FLASH_COOKIE_NAME = 'todobox.flash';
/**
 * Messages a browser keeps until a page shows them: a client that posts forms without following
 * the redirects (a script) would otherwise grow the cookie with every request.
 */
export const MAX_QUEUED_MESSAGES = 5;
/** Longer messages (a todo's title may be 255 characters) are cut, so five fit in a cookie. */
const MAX_MESSAGE_LENGTH = 400;
/**
 * How long queued messages may wait for their page: the redirect that shows them follows at once,
 * and a copied cookie stops working soon after.
 */
export const FLASH_LIFETIME_MS = 5 * 60 * 1000;
const FLASH_TYPES = new Set<string>(['success', 'error', 'info']);

/** What a response's flash() calls have queued, and how to write it. */
const outgoing = new WeakMap<Response, { messages: FlashMessage[]; write(messages: FlashMessage[]): void }>();

/**
 * Queues a one-time message for the next page this browser renders. It travels in a signed
 * cookie of its own, not in the session, so showing "Todo created." after a form costs no
 * session write, and the message arrives with the redirect on whichever instance answers next.
 */
export function flash(req: Request, type: FlashType, message: string): void {
  const queue = req.res && outgoing.get(req.res);
  if (!queue) return;
  queue.messages = [...queue.messages, { type, message: message.slice(0, MAX_MESSAGE_LENGTH) }].slice(-MAX_QUEUED_MESSAGES);
  queue.write(queue.messages);
}

function readMessages(value: string, secret: string): FlashMessage[] {
  const payload = unsign(value, secret);
  if (payload === false) return [];
  try {
    const { messages, until } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { messages?: unknown; until?: unknown };
    if (!Array.isArray(messages) || typeof until !== 'number' || until < Date.now()) return [];
    return messages
      .filter((entry): entry is FlashMessage => FLASH_TYPES.has(entry?.type) && typeof entry?.message === 'string')
      .slice(-MAX_QUEUED_MESSAGES)
      .map(({ type, message }) => ({ type, message: message.slice(0, MAX_MESSAGE_LENGTH) }));
  } catch {
    return [];
  }
}

const CARRIES_FLASH = new RegExp(`(?:^|;\\s*)${FLASH_COOKIE_NAME.replace('.', '\\.')}=[^;\\s]`);

/** Whether a request carries messages waiting to be shown (a page that shows them is rendered, not served from memory). */
export function carriesFlash(req: Request): boolean {
  return CARRIES_FLASH.test(req.headers.cookie ?? '');
}

/**
 * Moves the messages a request brings into the page being rendered (and ends the cookie), and lets
 * flash() queue new ones. Messages whose signature does not check out, or older than
 * FLASH_LIFETIME_MS, are dropped unread.
 */
export function flashMessages(secret: string): RequestHandler {
  return (req, res, next) => {
    const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: '/' };
    const setCookie = (value: string | undefined) => {
      // One Set-Cookie for the flash cookie per response: the last value queued, or its end.
      const others = ([] as string[])
        .concat((res.getHeader('Set-Cookie') as string[] | string | undefined) ?? [])
        .filter((header) => !header.startsWith(`${FLASH_COOKIE_NAME}=`));
      if (others.length) res.setHeader('Set-Cookie', others);
      else res.removeHeader('Set-Cookie');
      if (value === undefined) res.clearCookie(FLASH_COOKIE_NAME, cookieOptions);
      else res.cookie(FLASH_COOKIE_NAME, value, cookieOptions);
    };
    outgoing.set(res, {
      messages: [],
      write: (messages) =>
        setCookie(sign(Buffer.from(JSON.stringify({ messages, until: Date.now() + FLASH_LIFETIME_MS })).toString('base64url'), secret)),
    });
    if (carriesFlash(req)) {
      const value = parseCookies(req.headers.cookie ?? '')[FLASH_COOKIE_NAME];
      const messages = value ? readMessages(value, secret) : [];
      if (messages.length) res.locals.flash = messages;
      setCookie(undefined);
    }
    next();
  };
}
