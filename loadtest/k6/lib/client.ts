import { check } from 'k6';
import http from 'k6/http';
import { setTimeout } from 'k6/timers';
import { checkName, requestBody, type Client } from '../../scenarios/index.ts';

/**
 * The journeys' Client over k6/http: asynchronous requests tagged with their step, redirects
 * left to the journey, and a cookie jar of the client's own (one client per iteration).
 */
export function k6Client(baseUrl: string): Client {
  const jar = new http.CookieJar();
  return {
    async request(step, method, path, options = {}) {
      const { body, contentType } = requestBody(options);
      const headers = { ...(contentType ? { 'content-type': contentType } : {}), ...options.headers };
      const response = await http.asyncRequest(method, `${baseUrl}${path}`, body ?? null, {
        headers,
        jar,
        redirects: 0,
        responseType: 'text',
        // The step names the request in k6's `name` tag too, in place of its URL (index.ts, SYSTEM_TAGS).
        tags: { step, name: step },
      });
      const lowerCased: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) lowerCased[name.toLowerCase()] = value;
      return { status: response.status, body: typeof response.body === 'string' ? response.body : '', headers: lowerCased, ...(response.error ? { error: response.error } : {}) };
    },
    check(step, name, ok) {
      return check(ok, { [checkName(step, name)]: (passed) => passed }, { step });
    },
    pause(seconds) {
      return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    },
  };
}
