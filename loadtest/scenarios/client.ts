/**
 * What a journey needs from a load generator, whatever it is (k6, or the in-repo Node runner).
 * An adapter implements it over its own HTTP client.
 *
 * - Every request carries the name of its step: the adapter tags it (k6: `tags: { step }`) so
 *   thresholds and summaries are read per step.
 * - Redirects are never followed: a 3xx comes back with its `location` header, and a journey
 *   follows it as a step of its own, as a browser shows the page a form leads to.
 * - Each iteration gets a client with a cookie jar of its own, empty at the start.
 * - A request that got no answer (refused, reset, timed out) resolves with status 0; it never rejects.
 */

import type { StepName } from './steps.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  headers?: Record<string, string>;
}

export interface ClientResponse {
  /** 0 when no answer came. */
  status: number;
  body: string;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  /** With status 0: why no answer came (refused, timed out...), as the generator words it (k6: Response.error). */
  error?: string;
}

export interface Client {
  /** `path` is relative to the deployment's base URL, starting with "/". */
  request(step: StepName, method: HttpMethod, path: string, options?: RequestOptions): Promise<ClientResponse>;
  /** Records one check of a step (k6: a check tagged with the step); answers `ok`. */
  check(step: StepName, name: string, ok: boolean): boolean;
  /** Waits without blocking other iterations (setup and teardown honour a Retry-After with it). */
  pause(seconds: number): Promise<void>;
}

/** The name a check is reported under: its step, then what it checks ("login redirects to the dashboard"). */
export function checkName(step: StepName, name: string): string {
  return `${step} ${name}`;
}

/** Form fields as an application/x-www-form-urlencoded body, as a browser sends a form. */
export function encodeForm(fields: Record<string, string>): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
  return Object.entries(fields)
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .join('&');
}

/** The body and content type of a request's options (none for a request without a body). */
export function requestBody(options: RequestOptions): { body?: string; contentType?: string } {
  if (options.form) return { body: encodeForm(options.form), contentType: 'application/x-www-form-urlencoded' };
  if (options.json !== undefined) return { body: JSON.stringify(options.json), contentType: 'application/json' };
  return {};
}
