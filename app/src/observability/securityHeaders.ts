import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, worked out once: with settings that do not depend on the request (ours do
 * not), helmet would build the same values again for every response, which costs more than some
 * pages take to serve. Asking helmet itself keeps it the one source of what is sent.
 */
export function helmetHeaders(options: HelmetOptions): Array<[string, string]> {
  const headers = new Map<string, string>();
  const probe = {
    setHeader: (name: string, value: string) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  } as unknown as ServerResponse;
  let answered = false;
  helmet(options)({ headers: {} } as IncomingMessage, probe, (error?: unknown) => {
    if (error) throw error;
    answered = true;
  });
  if (!answered) throw new Error('helmet did not settle its headers synchronously');
  return [...headers];
}

/** Sets the same headers on every response. */
export function fixedHeaders(headers: Array<[string, string]>): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
