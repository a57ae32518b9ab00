import http from 'node:http';

export const SESSION_COOKIE = 'todobox.sid';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One request over a fresh connection; the whole answer, as the server sent it. */
export function request(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<Answer> {
  const url = new URL(options.path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? 'GET',
        headers: {
          ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${options.path} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export function csrfTokenIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('The page has no CSRF token');
  return token;
}

/**
 * A visitor with a cookie jar of one cookie (the session), following no redirects, so every step
 * of a form's flow (page, POST, 303) is checked as it happens.
 */
export class Browser {
  cookie?: string;

  constructor(readonly baseUrl: string) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.keepCookie(await request(this.baseUrl, { path, headers: { ...this.cookieHeader(), ...headers } }));
  }

  /** Opens `formPath`, then posts `fields` with the form's CSRF token to `action`. */
  async submit(formPath: string, action: string, fields: Record<string, string>): Promise<Answer> {
    const form = await this.get(formPath);
    if (form.status !== 200) throw new Error(`GET ${formPath} answered ${form.status}`);
    return this.post(action, { _csrf: csrfTokenIn(form.text), ...fields });
  }

  async post(path: string, fields: Record<string, string>): Promise<Answer> {
    return this.keepCookie(
      await request(this.baseUrl, {
        method: 'POST',
        path,
        headers: { ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  }

  cookieHeader(): Record<string, string> {
    return this.cookie ? { cookie: this.cookie } : {};
  }

  private keepCookie(answer: Answer): Answer {
    const setCookies = answer.headers['set-cookie'] ?? [];
    const session = setCookies.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
    if (session) {
      const pair = session.split(';')[0];
      this.cookie = pair === `${SESSION_COOKIE}=` ? undefined : pair;
    }
    return answer;
  }
}

/** Fails unless the answer has the expected status, naming the step. */
export function expectStatus(step: string, answer: Answer, status: number): Answer {
  if (answer.status !== status) {
    throw new Error(`${step}: expected ${status}, got ${answer.status} (${answer.text.slice(0, 300).replace(/\s+/g, ' ')})`);
  }
  return answer;
}
