import type { TestType } from './profiles.ts';
import { parseMetricKey, parseThresholdExpression, type ThresholdExpression } from './thresholds.ts';

/**
 * The end-of-test summary both load generators write (k6's handleSummary through
 * loadtest/k6/lib/summary.ts, and the in-repo runner), so a run reads the same whichever made it.
 * Times are milliseconds.
 */

export interface Latency {
  avg?: number;
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

export interface StepSummary {
  requests: number;
  failures: number;
  /** Absent when the generator did not measure the step's latency (k6 without the latency thresholds). */
  latency: Latency;
}

export interface CheckSummary {
  name: string;
  passes: number;
  fails: number;
}

export interface ThresholdResult {
  /** The threshold's key: a metric, with an optional {tag:value} selector. */
  metric: string;
  threshold: string;
  ok: boolean;
}

export interface LoadSummary {
  testType: TestType;
  generator: 'k6' | 'node';
  baseUrl: string;
  durationMs: number;
  iterations: number;
  droppedIterations: number;
  requests: number;
  failedRequests: number;
  latency: Latency;
  /** By step name (steps.ts), the journeys' and setup's alike. */
  steps: Record<string, StepSummary>;
  checks: CheckSummary[];
  thresholds: ThresholdResult[];
  /** Whether every threshold held. */
  passed: boolean;
  /** What the in-repo runner alone can tell (k6's summary data has none of it). */
  run?: RunDetails;
}

/**
 * Past this, the runner itself started iterations late (a rate beyond what one Node process
 * sends): the latencies, measured from each iteration's due time, then measure the runner, not
 * the deployment.
 */
export const GENERATOR_LAG_LIMIT_MS = 1_000;

/**
 * Where a run broke, second by second, which the thresholds cannot say (they judge the whole run,
 * so a cumulative p95 crosses its limit well after the load did): the first second in which each
 * of the guide's targets was missed, and the arrival rate scheduled in that second.
 */
export interface BreakingPoint {
  target: string;
  /** Seconds into the load. */
  second: number;
  /** Iterations due in that second, started or dropped. */
  scheduledPerSecond: number;
  measured: string;
}

/** How a run of the in-repo runner went, beyond its metrics. */
export interface RunDetails {
  /** Iterations started and cut off before they ended: by the end of the load, an abort or a stop. */
  interruptedIterations: number;
  /** The most milliseconds the runner started an iteration after it was due: its own lag, which the latencies include. */
  generatorLagMs: number;
  /** Why the load ended before its schedule did: a threshold's abortOnFail, or a stop (Ctrl+C, SIGTERM). */
  stoppedEarly?: string;
  /** The first second each of the guide's targets was missed for a sustained while (open models). */
  breakingPoints: BreakingPoint[];
}

/** The summary's files, by path: `<dir>/<type>-summary.json` and `<dir>/<type>-junit.xml`. */
export function summaryFiles(summary: LoadSummary, dir: string): Record<string, string> {
  return {
    [`${dir}/${summary.testType}-summary.json`]: `${JSON.stringify(summary, null, 2)}\n`,
    [`${dir}/${summary.testType}-junit.xml`]: junitXml(summary),
  };
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[character] as string);
}

/** What a threshold compared, as the summary holds it: the number, and how a report writes it. */
export interface Measured {
  value: number;
  /** "213.4 ms", "0.0125 (3 of 240)", "12". */
  text: string;
}

/** The Latency field an aggregation of http_req_duration reads; undefined for one the summary does not keep (min, p(75)). */
function latencyOf(latency: Latency, expression: ThresholdExpression): number | undefined {
  const fields: Record<string, keyof Latency> = { avg: 'avg', med: 'p50', max: 'max', 'p(50)': 'p50', 'p(90)': 'p90', 'p(95)': 'p95', 'p(99)': 'p99' };
  const field = fields[expression.aggregation];
  return field === undefined ? undefined : latency[field];
}

/** A rate with the counts it comes from, so a rate rounded near its limit still reads unambiguously. */
function rateOf(part: number, whole: number): Measured {
  const value = whole === 0 ? 0 : part / whole;
  return { value, text: `${Number(value.toPrecision(4))} (${part} of ${whole})` };
}

function countOf(value: number): Measured {
  return { value, text: String(value) };
}

/**
 * The value a threshold was judged on, worked out again from the summary (ThresholdResult keeps
 * only the verdict), for the metrics and aggregations the summary holds; undefined where it cannot
 * say, such as a step that made no request or a selector other than {step:…}.
 */
export function measuredValue(summary: LoadSummary, result: ThresholdResult): Measured | undefined {
  let key: ReturnType<typeof parseMetricKey>;
  let expression: ThresholdExpression;
  try {
    key = parseMetricKey(result.metric);
    expression = parseThresholdExpression(result.threshold);
  } catch {
    return undefined;
  }
  if (Object.keys(key.tags).some((tag) => tag !== 'step')) return undefined;
  const step = key.tags.step;
  const stats = step === undefined ? undefined : summary.steps[step];
  if (step !== undefined && stats === undefined) return undefined;
  const { aggregation } = expression;
  switch (key.metric) {
    case 'http_req_duration': {
      const value = latencyOf(stats?.latency ?? summary.latency, expression);
      return value === undefined ? undefined : { value, text: `${value.toFixed(1)} ms` };
    }
    case 'http_req_failed':
      if (aggregation !== 'rate') return undefined;
      return stats ? rateOf(stats.failures, stats.requests) : rateOf(summary.failedRequests, summary.requests);
    case 'http_reqs':
      return aggregation === 'count' ? countOf(stats?.requests ?? summary.requests) : undefined;
    case 'checks': {
      if (aggregation !== 'rate') return undefined;
      // A check's name starts with its step's (client.ts, checkName).
      const checks = summary.checks.filter((check) => step === undefined || check.name.startsWith(`${step} `));
      const passes = checks.reduce((sum, check) => sum + check.passes, 0);
      return rateOf(passes, passes + checks.reduce((sum, check) => sum + check.fails, 0));
    }
    case 'iterations':
      return aggregation === 'count' && step === undefined ? countOf(summary.iterations) : undefined;
    case 'dropped_iterations':
      return aggregation === 'count' && step === undefined ? countOf(summary.droppedIterations) : undefined;
    default:
      return undefined;
  }
}

/** One test case per threshold, failed when the threshold failed; the checks' counts as the suite's output. */
export function junitXml(summary: LoadSummary): string {
  const failures = summary.thresholds.filter((result) => !result.ok).length;
  const seconds = (summary.durationMs / 1000).toFixed(3);
  const cases = summary.thresholds.map((result) => {
    const open = `    <testcase classname="${xml(`loadtest.${summary.testType}.${result.metric}`)}" name="${xml(result.threshold)}" time="0">`;
    if (result.ok) return `${open}</testcase>`;
    const measured = measuredValue(summary, result);
    const message = `${result.metric}: ${result.threshold} failed${measured ? `, measured ${measured.text}` : ''}`;
    return `${open}\n      <failure message="${xml(message)}" type="threshold"/>\n    </testcase>`;
  });
  const checks = summary.checks.map((check) => `${check.name}: ${check.passes} passed, ${check.fails} failed`).join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="loadtest ${xml(summary.testType)}" tests="${summary.thresholds.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${xml(`${summary.testType} thresholds (${summary.generator}, ${summary.baseUrl})`)}" tests="${summary.thresholds.length}" failures="${failures}" errors="0" time="${seconds}">`,
    ...cases,
    `    <system-out>${xml(checks)}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(1)}ms`;
}

/** What the runner adds: why the load ended early, and whether it kept its own schedule. */
function runLines(run: RunDetails | undefined): string[] {
  if (!run) return [];
  return [
    ...(run.stoppedEarly ? [`  stopped early: ${run.stoppedEarly}`] : []),
    `  the runner started iterations up to ${ms(run.generatorLagMs)} late${run.generatorLagMs > GENERATOR_LAG_LIMIT_MS ? ': it could not keep up, so the latencies measure it, not the deployment' : ''}`,
  ];
}

/** A plain-text report: the run, a table per step, the thresholds. */
export function summaryText(summary: LoadSummary): string {
  const rows = Object.entries(summary.steps).map(([step, stats]) => [
    step,
    String(stats.requests),
    String(stats.failures),
    ms(stats.latency.p50),
    ms(stats.latency.p95),
    ms(stats.latency.p99),
  ]);
  const header = ['step', 'requests', 'failed', 'p50', 'p95', 'p99'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [
    `${summary.testType} against ${summary.baseUrl} (${summary.generator}): ${summary.passed ? 'all thresholds held' : 'THRESHOLDS FAILED'}`,
    `  ${summary.iterations} iterations, ${summary.droppedIterations} dropped${summary.run ? `, ${summary.run.interruptedIterations} interrupted` : ''}; ${summary.requests} requests, ${summary.failedRequests} failed; p95 ${ms(summary.latency.p95)}, p99 ${ms(summary.latency.p99)}`,
    ...runLines(summary.run),
    '',
    `  ${line(header)}`,
    ...rows.map((row) => `  ${line(row)}`),
    '',
    ...summary.thresholds.map((result) => {
      const measured = measuredValue(summary, result);
      return `  ${result.ok ? 'ok  ' : 'FAIL'} ${result.metric}: ${result.threshold}${measured ? ` (measured ${measured.text})` : ''}`;
    }),
    '',
  ].join('\n');
}
