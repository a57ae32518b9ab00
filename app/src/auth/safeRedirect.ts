/** Returns `target` only when it is a path on this site; anything else falls back to `/`. */
export function safeRedirectPath(target: unknown): string {
  if (typeof target !== 'string' || target.length === 0 || target.length > 2048) return '/';
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\\]/.test(target)) return '/';
  try {
    const resolved = new URL(target, 'http://todobox.invalid');
    if (resolved.host !== 'todobox.invalid') return '/';
    return `${resolved.pathname}${resolved.search}`;
  } catch {
    return '/';
  }
}
