/** A user of the running app: a browser session (cookie) and an API token. */
export interface TrafficUser {
  email: string;
  password: string;
  apiToken: string;
}

export interface TrafficResult {
  kind: 'page' | 'api' | 'login';
  status: number;
  retryAfter: string | null;
  contentType: string;
  sentAt: number;
  answeredAt: number;
}

const REQUEST_TIMEOUT_MS = 15_000;

function cookieFrom(res: Response): string | undefined {
  return res.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('todobox.sid='))
    ?.split(';')[0];
}

/** Logs in through the login form; answers the session cookie, or undefined when the login failed. */
export async function logInOverHttp(baseUrl: string, email: string, password: string): Promise<{ status: number; cookie?: string }> {
  const form = await fetch(`${baseUrl}/login`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const html = await form.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const formCookie = cookieFrom(form);
  if (!token || !formCookie) return { status: form.status };
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  return { status: res.status, cookie: res.status === 303 ? cookieFrom(res) : undefined };
}

/**
 * Steady traffic of one user until stopped (or a bounded number of rounds): each round reads a page
 * with the session cookie (GET /todos/today) and creates a todo through the API (POST /api/todos),
 * remembering the id of every write the app acknowledged. A session lost with a restarted Redis is
 * replaced by logging in again.
 */
export function startSteadyTraffic(baseUrl: string, user: TrafficUser, options: { pauseMs?: number; maxRounds?: number } = {}) {
  const pauseMs = options.pauseMs ?? 20;
  const maxRounds = options.maxRounds ?? 20_000;
  const results: TrafficResult[] = [];
  const acknowledgedIds: number[] = [];
  let sessionsLost = 0;
  let cookie: string | undefined;
  let stopping = false;

  async function send(kind: TrafficResult['kind'], run: () => Promise<Response>): Promise<Response | undefined> {
    const sentAt = Date.now();
    try {
      const res = await run();
      const answer = { status: res.status, retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type') ?? '' };
      results.push({ kind, ...answer, sentAt, answeredAt: Date.now() });
      return res;
    } catch {
      results.push({ kind, status: 0, retryAfter: null, contentType: '', sentAt, answeredAt: Date.now() });
      return undefined;
    }
  }

  async function ensureSession(): Promise<void> {
    if (cookie) return;
    const sentAt = Date.now();
    const login = await logInOverHttp(baseUrl, user.email, user.password).catch(() => ({ status: 0, cookie: undefined }));
    results.push({ kind: 'login', status: login.status, retryAfter: null, contentType: '', sentAt, answeredAt: Date.now() });
    cookie = login.cookie;
  }

  async function round(): Promise<void> {
    await ensureSession();
    if (cookie) {
      const page = await send('page', () =>
        fetch(`${baseUrl}/todos/today`, { redirect: 'manual', headers: { cookie: cookie! }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
      );
      await page?.arrayBuffer();
      if (page?.status === 303 && page.headers.get('location') === '/login') {
        sessionsLost += 1;
        cookie = undefined;
      }
    }
    const write = await send('api', () =>
      fetch(`${baseUrl}/api/todos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `steady write ${results.length}` }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }),
    );
    if (write && write.status >= 200 && write.status < 300) acknowledgedIds.push(((await write.json()) as { id: number }).id);
    else await write?.arrayBuffer();
  }

  const finished = (async () => {
    for (let rounds = 0; !stopping && rounds < maxRounds; rounds++) {
      await round();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();

  return {
    results,
    acknowledgedIds,
    sessionsLost: () => sessionsLost,
    /** Requests sent since `since` (a Date.now() value). */
    sentSince: (since: number) => results.filter((result) => result.sentAt >= since),
    async stop(): Promise<void> {
      stopping = true;
      await finished;
    },
  };
}

export type SteadyTraffic = ReturnType<typeof startSteadyTraffic>;

/** A request failed when it got no answer or an answer other than success or redirect. */
export function failed(result: TrafficResult): boolean {
  return result.status === 0 || result.status >= 400;
}
