import https from 'node:https';
import { NginxSetup, ProxiedResponse, requestThroughNginx } from '../helpers/nginx';

export interface SiteRequest {
  method?: 'GET' | 'POST';
  path: string;
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
}

/** A browser-like client of the site through nginx: one keep-alive connection pool and a cookie jar. */
export class SiteClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly setup: NginxSetup,
    readonly agent: https.Agent,
  ) {}

  async request({ method = 'GET', path, form, json, headers = {} }: SiteRequest): Promise<ProxiedResponse> {
    const body = form ? new URLSearchParams(form).toString() : json !== undefined ? JSON.stringify(json) : undefined;
    const contentType = form ? 'application/x-www-form-urlencoded' : json !== undefined ? 'application/json' : undefined;
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await requestThroughNginx(this.setup, {
      method,
      path,
      body,
      agent: this.agent,
      headers: {
        host: 'localhost',
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(cookie ? { cookie } : {}),
        ...headers,
      },
    });
    for (const line of response.headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const separator = pair.indexOf('=');
      this.cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
    }
    return response;
  }

  /** The CSRF token a page's forms carry. */
  async csrfToken(path: string): Promise<string> {
    const page = await this.request({ path });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body.toString())?.[1];
    if (!token) throw new Error(`No CSRF token on ${path} (status ${page.status})`);
    return token;
  }

  async submit(path: string, formPath: string, fields: Record<string, string>): Promise<ProxiedResponse> {
    return this.request({ method: 'POST', path, form: { _csrf: await this.csrfToken(formPath), ...fields } });
  }
}
