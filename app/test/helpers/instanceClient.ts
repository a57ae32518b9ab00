import http from 'node:http';

export interface Answer {
  status: number;
  location?: string;
  text: string;
}

/**
 * A browser of a deployment with several app instances: one cookie jar, and each request sent to
 * the instance named, over a connection of its own (so a cluster's primary hands each to the next
 * worker in turn).
 */
export class InstanceClient {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly urls: string[]) {}

  request(instance: number, options: { method?: 'GET' | 'POST'; path: string; form?: Record<string, string>; headers?: Record<string, string> }): Promise<Answer> {
    const url = new URL(options.path, this.urls[instance % this.urls.length]);
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: options.method ?? 'GET',
          agent: false,
          headers: {
            accept: 'text/html',
            ...(cookie ? { cookie } : {}),
            ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}),
            ...options.headers,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            for (const line of res.headers['set-cookie'] ?? []) {
              const [pair] = line.split(';');
              const [name, value] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()];
              // An emptied cookie (a logout, a message shown) is gone, as in a browser.
              if (value === '' || /expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            resolve({ status: res.statusCode ?? 0, location: res.headers.location, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  get(instance: number, path: string): Promise<Answer> {
    return this.request(instance, { path });
  }

  async csrfToken(instance: number, path: string): Promise<string> {
    const page = await this.get(instance, path);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`No CSRF token on ${path} (status ${page.status})`);
    return token;
  }

  /** Opens `formPath` on one instance and posts the form to `action` on `postTo` (the same one unless given). */
  async submit(instance: number, formPath: string, action: string, fields: Record<string, string>, postTo = instance): Promise<Answer> {
    const _csrf = await this.csrfToken(instance, formPath);
    return this.request(postTo, { method: 'POST', path: action, form: { _csrf, ...fields } });
  }

  /** The session cookie as it is now, to send later as a stolen copy would be. */
  sessionCookie(): string | undefined {
    const value = this.cookies.get('todobox.sid');
    return value ? `todobox.sid=${value}` : undefined;
  }
}
