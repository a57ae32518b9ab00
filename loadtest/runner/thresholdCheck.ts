import { durationSeconds, meets, parseThresholdExpression, thresholdText, type ObjectThreshold, type ThresholdExpression, type ThresholdResult, type Thresholds } from '../scenarios';
import type { Metrics, Sink } from './metrics';

/**
 * The thresholds of a test plan judged as k6 judges them, on the runner's metrics: the same
 * expression text, the aggregations k6 gives each kind of metric, and abortOnFail with
 * delayAbortEval while the load runs.
 */

/** The aggregated value of a sink an expression compares; throws for an aggregation k6 does not give that kind of metric. */
export function aggregate(sink: Sink, expression: ThresholdExpression, elapsedSeconds: number): number {
  const { aggregation, percentile } = expression;
  if (sink.kind === 'trend') {
    const { trend } = sink;
    if (percentile !== undefined) return trend.percentile(percentile);
    if (aggregation === 'med') return trend.percentile(50);
    if (aggregation === 'avg') return trend.avg;
    if (aggregation === 'min') return trend.min;
    if (aggregation === 'max') return trend.max;
  } else if (sink.kind === 'rate') {
    if (aggregation === 'rate') return sink.total === 0 ? 0 : sink.trues / sink.total;
  } else {
    if (aggregation === 'count') return sink.count;
    if (aggregation === 'rate') return elapsedSeconds > 0 ? sink.count / elapsedSeconds : 0;
  }
  throw new Error(`${aggregation} is not an aggregation of a ${sink.kind} metric`);
}

export interface JudgedThreshold extends ThresholdResult {
  abortOnFail: boolean;
  /** Milliseconds into the load before a failure of this threshold may abort it. */
  delayAbortMs: number;
}

/** Every threshold of the plan with its verdict on the metrics so far. */
export function judgeThresholds(thresholds: Thresholds, metrics: Metrics): JudgedThreshold[] {
  const elapsedSeconds = metrics.loadElapsedMs() / 1000;
  return Object.entries(thresholds).flatMap(([metric, list]) =>
    list.map((threshold) => {
      const text = thresholdText(threshold);
      const expression = parseThresholdExpression(text);
      const ok = meets(expression, aggregate(metrics.sink(metric), expression, elapsedSeconds));
      const options: Partial<ObjectThreshold> = typeof threshold === 'string' ? {} : threshold;
      return { metric, threshold: text, ok, abortOnFail: options.abortOnFail === true, delayAbortMs: options.delayAbortEval ? durationSeconds(options.delayAbortEval) * 1000 : 0 };
    }),
  );
}

/** The first abortOnFail threshold that fails once its delayAbortEval has passed: the reason to stop the load now. */
export function abortingThreshold(thresholds: Thresholds, metrics: Metrics): JudgedThreshold | undefined {
  const elapsed = metrics.loadElapsedMs();
  return judgeThresholds(thresholds, metrics).find((judged) => judged.abortOnFail && !judged.ok && elapsed >= judged.delayAbortMs);
}

/** Throws, naming it, on a threshold the runner cannot judge, before any request is sent. */
export function assertJudgeable(thresholds: Thresholds, metrics: Metrics): void {
  judgeThresholds(thresholds, metrics);
}
