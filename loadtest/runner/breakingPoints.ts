import { ERROR_RATE_TARGET, RESPONSE_TIME_TARGET_MS, type BreakingPoint } from '../scenarios';
import type { Metrics, Second } from './metrics';

export type { BreakingPoint };

/** A miss counts once it holds for this many seconds in a row: one slow second is noise, not a limit. */
export const SUSTAINED_SECONDS = 3;

interface Target {
  target: string;
  missed(second: Second): boolean;
  measured(second: Second): string;
}

const TARGETS: Target[] = [
  { target: `p95 < ${RESPONSE_TIME_TARGET_MS} ms`, missed: (second) => second.all.count > 0 && second.all.percentile(95) >= RESPONSE_TIME_TARGET_MS, measured: (second) => `p95 ${second.all.percentile(95).toFixed(0)} ms` },
  { target: `failed requests < ${ERROR_RATE_TARGET * 100} %`, missed: (second) => second.requests > 0 && second.failed / second.requests >= ERROR_RATE_TARGET, measured: (second) => `${second.failed} of ${second.requests} requests failed` },
  { target: 'no dropped iterations', missed: (second) => second.dropped > 0, measured: (second) => `${second.dropped} dropped` },
];

export function breakingPoints(metrics: Metrics): BreakingPoint[] {
  const { seconds } = metrics;
  return TARGETS.flatMap(({ target, missed, measured }) => {
    const start = seconds.findIndex((_, index) => seconds.length - index >= SUSTAINED_SECONDS && seconds.slice(index, index + SUSTAINED_SECONDS).every(missed));
    if (start < 0) return [];
    const second = seconds[start];
    return [{ target, second: start, scheduledPerSecond: second.started + second.dropped, measured: measured(second) }];
  });
}

export function breakingPointsText(points: BreakingPoint[]): string {
  if (points.length === 0) return `  No target was missed for ${SUSTAINED_SECONDS} seconds in a row.\n`;
  return `${points.map((point) => `  ${point.target} first missed ${SUSTAINED_SECONDS} s in a row from second ${point.second}, at ${point.scheduledPerSecond} iterations/s scheduled (${point.measured})`).join('\n')}\n`;
}
