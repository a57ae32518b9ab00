/**
 * One autocannon run in its own process, so the load generator never shares a thread with the
 * bench's bookkeeping. Reads a LoadRun as JSON from argv[2] and prints LoadFigures as JSON.
 * Latencies go into an HDR histogram of our own: autocannon's own summary has no 95th percentile.
 */
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import type { LoadFigures, LoadRun } from './loadGenerator';
import { REQUEST_TIMEOUT_SECONDS } from './loadGenerator';

async function main(): Promise<void> {
  const run = JSON.parse(process.argv[2]) as LoadRun;
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  let statusErrors = 0;
  const startedAt = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: run.url,
        connections: run.connections,
        duration: run.seconds,
        timeout: REQUEST_TIMEOUT_SECONDS,
        requests: run.requests.map((sent) => ({ method: sent.method, path: sent.path, headers: sent.headers, body: sent.body })),
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      histogram.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
      if (statusCode >= 400) statusErrors += 1;
    });
  });
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const figures: LoadFigures = {
    requests: result.requests.total,
    seconds,
    requestsPerSecond: result.requests.total / seconds,
    latencyMs: {
      p50: histogram.getValueAtPercentile(50) / 1000,
      p95: histogram.getValueAtPercentile(95) / 1000,
      p99: histogram.getValueAtPercentile(99) / 1000,
      max: histogram.maxValue / 1000,
    },
    bytes: result.throughput.total,
    statusErrors,
    socketErrors: result.errors + result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
