import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a token from `todobox setup:token` opens /setup. */
export const SETUP_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

function signature(secret: string, issuedAtSeconds: number): Buffer {
  return createHmac('sha256', secret).update(`todobox-setup:${issuedAtSeconds}`).digest();
}

/**
 * A token that lets the first visitor of a production instance create its administrator: the time it
 * was issued and an HMAC of that time under SECRET_KEY. Nothing is stored, so there is nothing to
 * steal from the database or to share between instances; it ends after SETUP_TOKEN_LIFETIME_MS, and
 * once the administrator exists /setup is closed for good, which makes it single-use.
 */
export function issueSetupToken(secret: string, now = Date.now()): string {
  const issuedAtSeconds = Math.floor(now / 1000);
  return `${issuedAtSeconds}.${signature(secret, issuedAtSeconds).toString('base64url')}`;
}

export function setupTokenValid(secret: string, token: unknown, now = Date.now()): boolean {
  if (typeof token !== 'string') return false;
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token.trim());
  if (!match) return false;
  const issuedAtSeconds = Number(match[1]);
  const age = now - issuedAtSeconds * 1000;
  if (age < 0 || age > SETUP_TOKEN_LIFETIME_MS) return false;
  return timingSafeEqual(Buffer.from(match[2], 'base64url'), signature(secret, issuedAtSeconds));
}
