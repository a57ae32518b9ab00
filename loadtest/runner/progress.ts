import { SingleBar } from 'cli-progress';
import { profileSeconds, type LoadProfile } from '../scenarios';
import type { Metrics } from './metrics';

export interface Progress {
  update(metrics: Metrics): void;
  stop(): void;
}

const QUIET: Progress = { update: () => undefined, stop: () => undefined };

function totals(metrics: Metrics): { started: number; dropped: number; requests: number; failed: number } {
  const sum = { started: 0, dropped: 0, requests: 0, failed: 0 };
  for (const second of metrics.seconds) {
    sum.started += second.started;
    sum.dropped += second.dropped;
    sum.requests += second.requests;
    sum.failed += second.failed;
  }
  return sum;
}

/**
 * A progress line on a terminal (the load's seconds, iterations started and dropped, requests and
 * failures, the latest second's slowest step p95); nothing when the output is a file or a pipe,
 * where a redrawn line is noise.
 */
export function progressDisplay(profile: LoadProfile, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return QUIET;
  const bar = new SingleBar({
    stream,
    format: '{bar} {value}/{total}s | {started} iterations, {dropped} dropped | {requests} requests, {failed} failed | slowest step p95 {p95} ms',
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(Math.ceil(profileSeconds(profile)), 0, { started: 0, dropped: 0, requests: 0, failed: 0, p95: '-' });
  return {
    update(metrics) {
      const latest = metrics.seconds.at(-2) ?? metrics.seconds.at(-1);
      const p95 = latest && latest.byStep.size ? Math.max(...[...latest.byStep.values()].map((trend) => trend.percentile(95))).toFixed(0) : '-';
      bar.update(Math.floor(metrics.loadElapsedMs() / 1000), { ...totals(metrics), p95 });
    },
    stop: () => bar.stop(),
  };
}
