import { requestBody, type Client, type ClientResponse, type HttpMethod, type StepName } from '../scenarios';

/**
 * A small Node implementation of the journeys' Client, for the tests only (the in-repo runner has
 * its own): fetch without following redirects, and a cookie jar per client.
 */

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string | undefined {
    return this.cookies.size ? [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') : undefined;
  }

  store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      // An emptied or expired cookie is gone, as in a browser.
      if (value === '' || /expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** One HTTP exchange as the adapters see it: no redirect followed, header names in lower case, status 0 without an answer. */
export async function exchange(
  method: string,
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  jar: CookieJar,
): Promise<ClientResponse> {
  const cookie = jar.header();
  try {
    const response = await fetch(url, { method, body, redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    jar.store(response.headers.getSetCookie());
    const answerHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (answerHeaders[name] = value));
    return { status: response.status, body: await response.text(), headers: answerHeaders };
  } catch {
    return { status: 0, body: '', headers: {} };
  }
}

export interface Recorded {
  requests: Array<{ step: StepName; method: HttpMethod; path: string; status: number }>;
  checks: Array<{ step: StepName; name: string; ok: boolean }>;
}

export function newRecord(): Recorded {
  return { requests: [], checks: [] };
}

export function nodeClient(baseUrl: string, record: Recorded = newRecord()): Client {
  const jar = new CookieJar();
  return {
    async request(step, method, path, options = {}) {
      const { body, contentType } = requestBody(options);
      const response = await exchange(method, `${baseUrl}${path}`, body, { ...(contentType ? { 'content-type': contentType } : {}), ...options.headers }, jar);
      record.requests.push({ step, method, path, status: response.status });
      return response;
    },
    check(step, name, ok) {
      record.checks.push({ step, name, ok });
      return ok;
    },
  };
}
