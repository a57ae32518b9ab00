import { checkName, parseMetricKey, stepMetric, type StepName } from '../scenarios';
import { Trend } from './trend';

/** What a request or a check of a step leaves behind: the runner's metrics, or a test's record. */
export interface Recorder {
  request(sample: RequestSample): void;
  check(step: StepName, name: string, ok: boolean): void;
}

export interface RequestSample {
  step: StepName;
  method: string;
  path: string;
  /** 0 when no answer came. */
  status: number;
  /** From the request's start (metrics.ts's caller says which start) to the answer's last byte. */
  durationMs: number;
  /** performance.now() at that start: the second of the load the request is filed under (default: when it ended). */
  startedAt?: number;
}

/** The metrics the thresholds may name, with k6's names and kinds. */
export const METRIC_KINDS = {
  http_req_duration: 'trend',
  http_req_failed: 'rate',
  checks: 'rate',
  http_reqs: 'counter',
  iterations: 'counter',
  dropped_iterations: 'counter',
} as const;
export type MetricName = keyof typeof METRIC_KINDS;

export type Sink = { kind: 'trend'; trend: Trend } | { kind: 'rate'; trues: number; total: number } | { kind: 'counter'; count: number };

/** One second of the load: what the report draws. */
export interface Second {
  started: number;
  dropped: number;
  requests: number;
  failed: number;
  /** Every request of the second, whatever its step. */
  all: Trend;
  byStep: Map<StepName, Trend>;
}

/** k6's default expected statuses: 200 to 399; anything else, or no answer, is a failed request. */
export function isFailedStatus(status: number): boolean {
  return status < 200 || status >= 400;
}

function newSink(metric: MetricName): Sink {
  const kind = METRIC_KINDS[metric];
  if (kind === 'trend') return { kind, trend: new Trend() };
  return kind === 'rate' ? { kind, trues: 0, total: 0 } : { kind, count: 0 };
}

/**
 * Every sample of a run, kept as k6 keeps its metrics (http_req_duration, http_req_failed, checks,
 * http_reqs, iterations, dropped_iterations), each also per step (`metric{step:name}`), and per
 * second of the load for the report.
 */
export class Metrics implements Recorder {
  private readonly sinks = new Map<string, Sink>();
  readonly checkCounts = new Map<string, { passes: number; fails: number }>();
  readonly seconds: Second[] = [];
  /** performance.now() at the load's start; undefined during setup. */
  private loadStartedAt?: number;

  constructor(private readonly now: () => number = () => performance.now()) {}

  startLoad(): void {
    this.loadStartedAt = this.now();
  }

  /** Milliseconds since the load started (0 before). */
  loadElapsedMs(): number {
    return this.loadStartedAt === undefined ? 0 : this.now() - this.loadStartedAt;
  }

  /** Iterations started; those neither completed nor dropped were interrupted at the end or by an abort. */
  private startedIterations = 0;
  /** How late the runner itself started an iteration, at worst: its own lag, not the server's. */
  private worstStartLagMs = 0;

  /** The second of the load `at` (performance.now(), default now) falls in; none during setup. */
  private second(at: number = this.now()): Second | undefined {
    if (this.loadStartedAt === undefined || at < this.loadStartedAt) return undefined;
    const index = Math.floor((at - this.loadStartedAt) / 1000);
    while (this.seconds.length <= index) this.seconds.push({ started: 0, dropped: 0, requests: 0, failed: 0, all: new Trend(), byStep: new Map() });
    return this.seconds[index];
  }

  private sinkOf(metric: MetricName, step?: StepName): Sink {
    const key = step === undefined ? metric : stepMetric(metric, step);
    let sink = this.sinks.get(key);
    if (!sink) {
      sink = newSink(metric);
      this.sinks.set(key, sink);
    }
    return sink;
  }

  private add(metric: MetricName, step: StepName | undefined, value: number | boolean): void {
    for (const sink of step === undefined ? [this.sinkOf(metric)] : [this.sinkOf(metric), this.sinkOf(metric, step)]) {
      if (sink.kind === 'trend') sink.trend.record(value as number);
      else if (sink.kind === 'rate') {
        sink.total++;
        if (value) sink.trues++;
      } else sink.count += value as number;
    }
  }

  request({ step, status, durationMs, startedAt }: RequestSample): void {
    const failed = isFailedStatus(status);
    this.add('http_reqs', step, 1);
    this.add('http_req_duration', step, durationMs);
    this.add('http_req_failed', step, failed);
    // Filed under the second it started in: a request sent when the server broke, answered 20 s
    // later, belongs to the moment it broke, not to the moment it ended.
    const second = this.second(startedAt);
    if (!second) return;
    second.requests++;
    if (failed) second.failed++;
    second.all.record(durationMs);
    let trend = second.byStep.get(step);
    if (!trend) {
      trend = new Trend();
      second.byStep.set(step, trend);
    }
    trend.record(durationMs);
  }

  check(step: StepName, name: string, ok: boolean): void {
    this.add('checks', step, ok);
    const key = checkName(step, name);
    const counts = this.checkCounts.get(key) ?? { passes: 0, fails: 0 };
    if (ok) counts.passes++;
    else counts.fails++;
    this.checkCounts.set(key, counts);
  }

  /** `lateMs`: how long after its scheduled start the runner started it (an open model's iterations only). */
  iterationStarted(lateMs = 0): void {
    this.startedIterations++;
    this.worstStartLagMs = Math.max(this.worstStartLagMs, lateMs);
    const second = this.second();
    if (second) second.started++;
  }

  /** Iterations that started and did not end by themselves: cut off by the end of the load, an abort or Ctrl+C. */
  interruptedIterations(): number {
    const completed = this.sinks.get('iterations');
    return this.startedIterations - (completed?.kind === 'counter' ? completed.count : 0);
  }

  /** The most milliseconds an iteration started after it was due, for the runner's own sake. */
  startLagMs(): number {
    return this.worstStartLagMs;
  }

  /** k6 counts an iteration in `iterations` when it ends, and never one the run interrupted. */
  iterationCompleted(): void {
    this.add('iterations', undefined, 1);
  }

  iterationDropped(): void {
    this.add('dropped_iterations', undefined, 1);
    const second = this.second();
    if (second) second.dropped++;
  }

  /** The sink of a threshold's key ("http_req_duration", "checks{step:login}"); an empty one for a metric nothing was recorded in. */
  sink(key: string): Sink {
    const { metric, tags } = parseMetricKey(key);
    if (!(metric in METRIC_KINDS)) throw new Error(`"${key}": the runner measures ${Object.keys(METRIC_KINDS).join(', ')}, not ${metric}`);
    const names = Object.keys(tags);
    if (names.some((name) => name !== 'step')) throw new Error(`"${key}": the runner reads only {step:…} selectors`);
    return this.sinks.get(tags.step === undefined ? metric : stepMetric(metric, tags.step as StepName)) ?? newSink(metric as MetricName);
  }

  /** The steps that made requests, in the order they first did. */
  steps(): StepName[] {
    const steps: StepName[] = [];
    for (const key of this.sinks.keys()) {
      const { metric, tags } = parseMetricKey(key);
      if (metric === 'http_reqs' && tags.step !== undefined) steps.push(tags.step as StepName);
    }
    return steps;
  }
}
