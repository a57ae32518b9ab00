/**
 * The machine's ceiling: a bare node:http server answering every request with the bytes the app
 * answered (same status, headers and body), so the only difference left is the app's own work.
 * Usage: ceilingServer <responses.json> <port> <processes>
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import http from 'node:http';

export interface CeilingResponse {
  status: number;
  headers: Record<string, string | string[]>;
  bodyBase64: string;
}

/** One answer per request method; any other method gets the GET answer. */
export type CeilingResponses = Partial<Record<'GET' | 'POST', CeilingResponse>>;

function serve(responses: CeilingResponses, port: number): void {
  const prepared = Object.fromEntries(
    Object.entries(responses).map(([method, response]) => [method, { ...response, body: Buffer.from(response.bodyBase64, 'base64') }]),
  );
  const fallback = prepared.GET ?? Object.values(prepared)[0];
  const server = http.createServer((req, res) => {
    const answer = prepared[req.method ?? 'GET'] ?? fallback;
    // A POST's body must be read before its answer ends, or the connection cannot be reused.
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  server.listen(port, '127.0.0.1', () => process.send?.({ ready: true }));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

const [responsesFile, portText, processesText] = process.argv.slice(2);
const processes = Number(processesText ?? '1');
if (cluster.isPrimary && processes > 1) {
  let ready = 0;
  for (let index = 0; index < processes; index++) {
    cluster.fork().on('message', () => {
      ready += 1;
      if (ready === processes) process.send?.({ ready: true });
    });
  }
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  });
} else {
  serve(JSON.parse(fs.readFileSync(responsesFile, 'utf8')) as CeilingResponses, Number(portText));
}
