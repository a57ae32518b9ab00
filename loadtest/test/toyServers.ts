import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Small node:http servers with one behaviour each, for the runner's tests to measure. */

export interface ToyServer {
  url: string;
  /** The most requests it held at once. */
  maxInFlight(): number;
  /** The requests it received so far. */
  requests(): number;
  close(): Promise<void>;
}

type Answer = (request: http.IncomingMessage, response: http.ServerResponse) => void;

async function serve(answer: Answer): Promise<ToyServer> {
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on('close', () => inFlight--);
    request.resume();
    request.on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxInFlight: () => maxInFlight,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ok: Answer = (_request, response) => response.end('ok');

/**
 * Answers at once, except that every `periodMs` it stops answering entirely for `freezeMs` (as a
 * stop-the-world pause or a locked table does): what arrives then is answered when it ends.
 */
export function freezingServer(periodMs: number, freezeMs: number): Promise<ToyServer> {
  const start = performance.now();
  return serve((request, response) => {
    const phase = (performance.now() - start) % periodMs;
    const frozenFor = phase >= periodMs - freezeMs ? periodMs - phase : 0;
    if (frozenFor > 0) setTimeout(() => ok(request, response), frozenFor);
    else ok(request, response);
  });
}

/** Answers every request after `delayMs`. */
export function slowServer(delayMs: number): Promise<ToyServer> {
  return serve((request, response) => setTimeout(() => ok(request, response), delayMs));
}

/** Answers every request with a 500. */
export function failingServer(): Promise<ToyServer> {
  return serve((_request, response) => {
    response.statusCode = 500;
    response.end('Internal Server Error');
  });
}
