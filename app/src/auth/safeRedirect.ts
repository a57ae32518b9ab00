/** A path that browsers read as another host: `//host`, or `/\host` as they take a backslash for a slash. */
const OTHER_HOST = /^\/[/\\]/;

/** Returns `target` only when it is a path on this site; anything else falls back to `/`. */
export function safeRedirectPath(target: unknown): string {
  if (typeof target !== 'string' || target.length === 0 || target.length > 2048) return '/';
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
