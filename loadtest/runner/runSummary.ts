import { stepMetric, type Latency, type LoadSummary, type StepSummary, type TestPlan, type ThresholdResult } from '../scenarios';
import { breakingPoints } from './breakingPoints';
import type { Metrics } from './metrics';
import type { Trend } from './trend';

function latencyOf(trend: Trend): Latency {
  return { avg: trend.avg, p50: trend.percentile(50), p90: trend.percentile(90), p95: trend.percentile(95), p99: trend.percentile(99), max: trend.max };
}

const trendOf = (metrics: Metrics, key: string): Trend => {
  const sink = metrics.sink(key);
  if (sink.kind !== 'trend') throw new Error(`${key} is not a trend`);
  return sink.trend;
};
const countOf = (metrics: Metrics, key: string): number => {
  const sink = metrics.sink(key);
  return sink.kind === 'counter' ? sink.count : sink.kind === 'rate' ? sink.trues : sink.trend.count;
};

/** The runner's metrics in the summary shape the k6 scripts write too (scenarios/summary.ts), with what only the runner knows. */
export function runSummary(plan: TestPlan, metrics: Metrics, thresholds: ThresholdResult[], durationMs: number, stoppedEarly?: string): LoadSummary {
  const steps: Record<string, StepSummary> = {};
  for (const step of metrics.steps()) {
    steps[step] = {
      requests: countOf(metrics, stepMetric('http_reqs', step)),
      failures: countOf(metrics, stepMetric('http_req_failed', step)),
      latency: latencyOf(trendOf(metrics, stepMetric('http_req_duration', step))),
    };
  }
  return {
    testType: plan.type,
    generator: 'node',
    baseUrl: plan.settings.baseUrl,
    durationMs,
    iterations: countOf(metrics, 'iterations'),
    droppedIterations: countOf(metrics, 'dropped_iterations'),
    requests: countOf(metrics, 'http_reqs'),
    failedRequests: countOf(metrics, 'http_req_failed'),
    latency: latencyOf(trendOf(metrics, 'http_req_duration')),
    steps,
    checks: [...metrics.checkCounts].map(([name, counts]) => ({ name, ...counts })),
    thresholds,
    passed: thresholds.every((result) => result.ok),
    run: {
      interruptedIterations: metrics.interruptedIterations(),
      generatorLagMs: metrics.startLagMs(),
      ...(stoppedEarly ? { stoppedEarly } : {}),
      breakingPoints: plan.profile.executor === 'shared-iterations' ? [] : breakingPoints(metrics),
    },
  };
}
