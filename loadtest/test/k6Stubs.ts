import { CookieJar } from 'tough-cookie';
import { exchange } from '../runner/httpClient';

/**
 * Just enough of k6's modules (k6, k6/http, k6/execution) for a k6 script to load, and run, in
 * Node under jest: requests go out through the runner's HTTP exchange, and everything the script asks
 * of k6 is recorded.
 */

export interface StubRequest {
  method: string;
  url: string;
  body: string | null;
  params: { headers?: Record<string, string>; jar?: CookieJar; redirects?: number; tags?: Record<string, string>; responseType?: string };
}

interface StubState {
  recorded: { requests: StubRequest[]; checks: Array<{ name: string; ok: boolean; tags?: Record<string, string> }> };
  execution: { scenario: { iterationInTest: number } };
}

// One state however many times the module is loaded (jest.isolateModules loads a script's modules afresh).
const holder = globalThis as { __k6Stubs?: StubState };
holder.__k6Stubs ??= { recorded: { requests: [], checks: [] }, execution: { scenario: { iterationInTest: 0 } } };

export const { recorded, execution } = holder.__k6Stubs;

/** k6 names headers in canonical form (Content-Type, Location). */
function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);
}

export const http = {
  CookieJar,
  async asyncRequest(method: string, url: string, body: string | null, params: StubRequest['params']) {
    recorded.requests.push({ method, url, body, params });
    const answer = await exchange({ method, url, body: body ?? undefined, headers: params.headers ?? {}, jar: params.jar ?? new CookieJar() });
    const headers = Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [canonical(name), value]));
    return { status: answer.status, body: answer.status === 0 ? null : answer.body, headers };
  },
};

export function check<T>(value: T, sets: Record<string, (value: T) => boolean>, tags?: Record<string, string>): boolean {
  let all = true;
  for (const [name, test] of Object.entries(sets)) {
    const ok = Boolean(test(value));
    recorded.checks.push({ name, ok, tags });
    all &&= ok;
  }
  return all;
}

export function resetRecords(): void {
  recorded.requests.length = 0;
  recorded.checks.length = 0;
}
