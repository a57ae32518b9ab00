import { setTimeout as delay } from 'node:timers/promises';
import { CookieJar } from 'tough-cookie';
import { getGlobalDispatcher, request, type Dispatcher } from 'undici';
import { requestBody, type Client, type ClientResponse } from '../scenarios';
import type { Recorder } from './metrics';

/** k6's default request timeout. */
const REQUEST_TIMEOUT_MS = 60_000;

export interface Exchange {
  method: string;
  url: string;
  body?: string;
  headers: Record<string, string>;
  jar: CookieJar;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

function joinedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) joined[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return joined;
}

/**
 * One HTTP exchange as the journeys' Client promises it: undici sends it and follows no redirect,
 * the jar gives the cookies and keeps those set, the whole body is read, and anything that stops
 * an answer (refused, reset, timed out, aborted) is status 0.
 */
export async function exchange({ method, url, body, headers, jar, dispatcher, signal }: Exchange): Promise<ClientResponse> {
  const cookie = jar.getCookieStringSync(url);
  try {
    const response = await request(url, {
      method: method as Dispatcher.HttpMethod,
      body,
      headers: { ...headers, ...(cookie ? { cookie } : {}) },
      dispatcher: dispatcher ?? getGlobalDispatcher(),
      signal,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    const text = await response.body.text();
    const setCookie = response.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) jar.setCookieSync(line, url, { ignoreError: true });
    return { status: response.statusCode, body: text, headers: joinedHeaders(response.headers) };
  } catch (error) {
    return { status: 0, body: '', headers: {}, error: noAnswerReason(error) };
  }
}

/** Why an exchange got no answer, in a tester's words: undici's and Node's codes name it. */
function noAnswerReason(error: unknown): string {
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s (the server accepted the connection and said nothing)`;
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  return error instanceof Error ? error.message : String(error);
}

export interface ClientContext {
  baseUrl: string;
  recorder: Recorder;
  dispatcher?: Dispatcher;
  /** Aborts the requests in flight when the run stops; what they answer then is not recorded. */
  signal?: AbortSignal;
  /**
   * performance.now() at which the iteration was due: the first request's duration counts from
   * then, so a late start (the runner's own event loop, a connection not yet free) is the server
   * side's latency and not hidden. Without it (setup, a closed model) it counts from the call.
   */
  scheduledAt?: number;
}

/** The journeys' Client over undici, with a cookie jar of its own: one per iteration, as a browser of its own. */
export function runnerClient({ baseUrl, recorder, dispatcher, signal, scheduledAt }: ClientContext): Client {
  const jar = new CookieJar();
  let firstStart = scheduledAt;
  return {
    async request(step, method, path, options = {}) {
      const startedAt = firstStart ?? performance.now();
      firstStart = undefined;
      const { body, contentType } = requestBody(options);
      const headers = { ...(contentType ? { 'content-type': contentType } : {}), ...options.headers };
      const response = await exchange({ method, url: `${baseUrl}${path}`, body, headers, jar, dispatcher, signal });
      if (!signal?.aborted) recorder.request({ step, method, path, status: response.status, durationMs: performance.now() - startedAt, startedAt });
      return response;
    },
    check(step, name, ok) {
      if (!signal?.aborted) recorder.check(step, name, ok);
      return ok;
    },
    pause(seconds) {
      return delay(seconds * 1000, undefined, { signal }).catch(() => undefined);
    },
  };
}
