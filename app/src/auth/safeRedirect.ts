/** A path that browsers read as another host: `//host`, or `/\host` as they take a backslash for a slash. */
const OTHER_HOST = /^\/[/\\]/;

/** Longer addresses are never redirected to, so they are not remembered either. */
export const MAX_REDIRECT_LENGTH = 2048;

/** Returns `target` only when it is a path on this site; anything else falls back to `/`. */
export function safeRedirectPath(target: unknown): string {
  if (typeof target !== 'string' || target.length === 0 || target.length > MAX_REDIRECT_LENGTH) return '/';
  if (!target.startsWith('/') || OTHER_HOST.test(target)) return '/';
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return '/';
  try {
    const resolved = new URL(target, 'http://todobox.invalid');
    if (resolved.origin !== 'http://todobox.invalid') return '/';
    // Dot segments resolve away: `/.//evil.example` and `/%2e//evil.example` become `//evil.example`.
    if (OTHER_HOST.test(resolved.pathname)) return '/';
    return `${resolved.pathname}${resolved.search}`;
  } catch {
    return '/';
  }
}

/** Remembers the page a visitor asked for, for after the login: only an address a redirect may go to. */
export function rememberReturnTo(session: { returnTo?: string }, wanted: string): void {
  const target = safeRedirectPath(wanted);
  if (target !== '/') session.returnTo = target;
}
