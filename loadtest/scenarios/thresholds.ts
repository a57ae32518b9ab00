import { plannedIterations, type LoadProfile, type TestType } from './profiles.ts';
import { JOURNEY_STEPS, PASSWORD_STEPS, type StepName } from './steps.ts';

/**
 * The pass/fail criteria of every test type, as k6 threshold expressions, so the k6 scripts use
 * them as they are and the in-repo runner evaluates the same text. The numbers come from the
 * deployment guide's targets (seed/deployment-guide.md, "Monitoring"): a response time under
 * 200 ms and an error rate under 0.1 %; the per-step limits from the kit's SlowResponses alert
 * (p95 over 500 ms) and HighErrorRate alert (over 1 %).
 */

export interface ObjectThreshold {
  threshold: string;
  abortOnFail?: boolean;
  delayAbortEval?: string;
}
export type Threshold = string | ObjectThreshold;
/** k6's `options.thresholds`: metric (with an optional `{tag:value}` selector) -> expressions. */
export type Thresholds = Record<string, Threshold[]>;

/** The guide's targets. */
export const RESPONSE_TIME_TARGET_MS = 200;
export const ERROR_RATE_TARGET = 0.001;
/** Checks that may fail before a run fails (a check is a status and a content marker of a step). */
export const CHECK_PASS_RATE = 0.99;
/** A step's p(99): the SlowResponses alert's 500 ms; a login checks a password hash, slow by design. */
export const STEP_P99_MS = 500;
export const PASSWORD_STEP_P99_MS = 1000;
/** A step's own error rate: the HighErrorRate alert's 1 % (the whole run must still meet 0.1 %). */
export const STEP_ERROR_RATE = 0.01;
/** Dropped iterations (the load generator had no VU free: the server was too slow to keep up). */
export const DROPPED_ITERATIONS_SHARE = 0.01;
/** Where a stress run is hopeless: it stops rather than hammering on. */
export const HOPELESS_ERROR_RATE = 0.05;
export const HOPELESS_P95_MS = 2000;

export interface ThresholdOptions {
  /** false leaves every latency threshold out, for a functional run on a machine of unknown speed. */
  latency: boolean;
}

/** `metric{step:name}`: a step's submetric. */
export function stepMetric(metric: string, step: StepName): string {
  return `${metric}{step:${step}}`;
}

function droppedLimit(profile: LoadProfile): number {
  return Math.max(10, Math.ceil(plannedIterations(profile) * DROPPED_ITERATIONS_SHARE));
}

/** The thresholds of a test type with its profile (the dropped-iterations bound is a share of what it schedules). */
export function thresholdsFor(type: TestType, profile: LoadProfile, { latency }: ThresholdOptions): Thresholds {
  // A breakpoint run stops where the guide's targets break: that rate is its result.
  const abortOnTarget = type === 'breakpoint';
  const target = (threshold: string): Threshold => (abortOnTarget ? { threshold, abortOnFail: true, delayAbortEval: '30s' } : threshold);
  const hopeless = (threshold: string): Threshold[] =>
    type === 'stress' ? [{ threshold, abortOnFail: true, delayAbortEval: '1m' }] : [];

  const thresholds: Thresholds = {
    http_req_failed: [target(`rate<${ERROR_RATE_TARGET}`), ...hopeless(`rate<${HOPELESS_ERROR_RATE}`)],
    checks: [target(`rate>${CHECK_PASS_RATE}`)],
  };
  if (profile.executor !== 'shared-iterations') thresholds.dropped_iterations = [target(`count<${droppedLimit(profile)}`)];
  if (latency) {
    thresholds.http_req_duration = [target(`p(95)<${RESPONSE_TIME_TARGET_MS}`), ...hopeless(`p(95)<${HOPELESS_P95_MS}`)];
  }
  for (const step of JOURNEY_STEPS) {
    if (latency) {
      const limit = PASSWORD_STEPS.includes(step) ? PASSWORD_STEP_P99_MS : STEP_P99_MS;
      thresholds[stepMetric('http_req_duration', step)] = [`p(99)<${limit}`];
    }
    thresholds[stepMetric('http_req_failed', step)] = [`rate<${STEP_ERROR_RATE}`];
  }
  return thresholds;
}

/** The latency thresholds (those of http_req_duration and its submetrics): what `latency: false` leaves out. */
export function isLatencyMetric(key: string): boolean {
  return parseMetricKey(key).metric === 'http_req_duration';
}

export interface MetricKey {
  metric: string;
  tags: Record<string, string>;
}

/** "http_req_duration{step:login}" -> { metric: "http_req_duration", tags: { step: "login" } }. */
export function parseMetricKey(key: string): MetricKey {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{(.*)\})?$/.exec(key.trim());
  if (!match) throw new Error(`"${key}" is not a metric name with an optional {tag:value} selector`);
  const tags: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter((part) => part.trim() !== '')) {
    const separator = pair.indexOf(':');
    if (separator <= 0) throw new Error(`"${key}": a tag selector is {name:value}`);
    tags[pair.slice(0, separator).trim()] = pair.slice(separator + 1).trim();
  }
  return { metric: match[1], tags };
}

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface ThresholdExpression {
  /** "avg", "min", "max", "med", "count", "rate", "value" or "p(N)". */
  aggregation: string;
  /** N of "p(N)", else undefined. */
  percentile?: number;
  comparison: Comparison;
  value: number;
}

/** A k6 threshold expression such as "p(95)<200", "rate<0.001", "count<10". */
export function parseThresholdExpression(expression: string): ThresholdExpression {
  const match = /^\s*(avg|min|max|med|count|rate|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/.exec(expression);
  if (!match) throw new Error(`"${expression}" is not a threshold expression such as p(95)<200 or rate<0.001`);
  const percentile = match[2] === undefined ? undefined : Number(match[2]);
  return { aggregation: percentile === undefined ? match[1] : `p(${match[2]})`, percentile, comparison: match[3] as Comparison, value: Number(match[4]) };
}

/** Whether an aggregated value meets an expression, as k6 judges it. */
export function meets(expression: ThresholdExpression, actual: number): boolean {
  switch (expression.comparison) {
    case '<':
      return actual < expression.value;
    case '<=':
      return actual <= expression.value;
    case '>':
      return actual > expression.value;
    case '>=':
      return actual >= expression.value;
    case '==':
    case '===':
      return actual === expression.value;
    case '!=':
      return actual !== expression.value;
  }
}

/** The expression text of a threshold, whichever form it is written in. */
export function thresholdText(threshold: Threshold): string {
  return typeof threshold === 'string' ? threshold : threshold.threshold;
}
