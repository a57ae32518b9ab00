/** What the journeys read from the app's pages and answers (app/views/**: the markup they render). */

/** The CSRF token of a page's forms (`<input type="hidden" name="_csrf" value="…">`). */
export function csrfTokenOf(body: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
}

/** The ids of the todos a page links to (`href="/todos/12"`), first seen first, each once. */
export function todoIdsOf(body: string): number[] {
  const ids = [...body.matchAll(/href="\/todos\/(\d+)"/g)].map((match) => Number(match[1]));
  return [...new Set(ids)];
}

/** The todo id a redirect to `/todos/12` names. */
export function todoIdOfLocation(location: string | undefined): number | undefined {
  const match = /\/todos\/(\d+)$/.exec(location ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The day a todo page says the todo is planned for (`Planned for <time datetime="2026-12-03">`). */
export function plannedDayOf(body: string): string | undefined {
  return /Planned for <time datetime="(\d{4}-\d{2}-\d{2})"/.exec(body)?.[1];
}

/** The calendar day after `day` (YYYY-MM-DD), whatever the time zone of the machine that asks. */
export function nextDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date + 1)).toISOString().slice(0, 10);
}

/**
 * The seconds a throttled (429) or restarting (503) deployment asks a client to wait before it
 * comes back (`Retry-After` in seconds or as an HTTP date); undefined for any other answer.
 */
export function retryAfterSeconds(response: { status: number; headers: Record<string, string> }, now: number = Date.now()): number | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined;
  const value = (response.headers['retry-after'] ?? '').trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Whether a redirect leads to `path` (a Location may be absolute or relative). */
export function redirectsTo(response: { status: number; headers: Record<string, string> }, path: string | RegExp): boolean {
  if (response.status !== 302 && response.status !== 303) return false;
  const location = (response.headers.location ?? '').replace(/^https?:\/\/[^/]+/, '');
  return typeof path === 'string' ? location === path : path.test(location);
}

/** The id in the link `action` of the table row headed `label`. */
function idInRowOf(body: string, label: string, action: RegExp): number | undefined {
  const escaped = escapeHtml(label);
  for (const row of body.split('<tr>')) {
    if (!row.includes(`<th scope="row">${escaped}</th>`)) continue;
    const match = action.exec(row);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** The administrator's users page row of `email`: the user's id (from its action links). */
export function userIdOnUsersPage(body: string, email: string): number | undefined {
  return idInRowOf(body, email, /\/admin\/users\/(\d+)\/delete/);
}

/** The new token the tokens page shows once after its creation. */
export function newTokenOf(body: string): string | undefined {
  return /id="new-token"[^>]*value="([^"]+)"/.exec(body)?.[1];
}

/** The id of the token named `name` on the tokens page (its revoke form). */
export function tokenIdOnTokensPage(body: string, name: string): number | undefined {
  return idInRowOf(body, name, /\/account\/tokens\/(\d+)\/revoke/);
}

/** As Handlebars escapes text. */
export function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
  return text.replace(/[&<>"'`=]/g, (character) => entities[character]);
}

/** A JSON body, or undefined when it is none. */
export function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
