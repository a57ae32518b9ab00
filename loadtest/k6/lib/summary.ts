import type { CheckSummary, Latency, LoadSummary, StepSummary, TestPlan } from '../../scenarios/index.ts';
import { parseMetricKey, stepMetric, summaryFiles, summaryText, thresholdText, type StepName } from '../../scenarios/index.ts';

/** The parts of k6's end-of-test data (handleSummary's argument) that the summary reads. */
export interface K6Metric {
  type: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Group {
  name: string;
  checks: Array<{ name: string; passes: number; fails: number }>;
  groups: K6Group[];
}

export interface K6SummaryData {
  metrics: Record<string, K6Metric | undefined>;
  root_group: K6Group;
  state: { testRunDurationMs: number };
}

function latencyOf(metric: K6Metric | undefined): Latency {
  if (!metric) return {};
  const { values } = metric;
  return { avg: values.avg, p50: values.med, p90: values['p(90)'], p95: values['p(95)'], p99: values['p(99)'], max: values.max };
}

function checksOf(group: K6Group): CheckSummary[] {
  return [...group.checks.map(({ name, passes, fails }) => ({ name, passes, fails })), ...group.groups.flatMap(checksOf)];
}

/** The steps k6 measured: each step's submetrics are in the data because a threshold names them. */
function stepsOf(data: K6SummaryData): Record<string, StepSummary> {
  const steps: Record<string, StepSummary> = {};
  for (const [key, metric] of Object.entries(data.metrics)) {
    const { metric: name, tags } = parseMetricKey(key);
    if (!metric || name !== 'http_req_failed' || tags.step === undefined || Object.keys(tags).length !== 1) continue;
    const requests = (metric.values.passes ?? 0) + (metric.values.fails ?? 0);
    steps[tags.step] = { requests, failures: metric.values.passes ?? 0, latency: latencyOf(data.metrics[stepMetric('http_req_duration', tags.step as StepName)]) };
  }
  return steps;
}

/** k6's end-of-test data as the kit's summary (scenarios/summary.ts), the shape the in-repo runner writes too. */
export function summaryFromK6(data: K6SummaryData, plan: TestPlan): LoadSummary {
  const count = (name: string) => data.metrics[name]?.values.count ?? 0;
  const thresholds = Object.entries(plan.options.thresholds).flatMap(([metric, list]) =>
    list.map((threshold) => {
      const expression = thresholdText(threshold);
      return { metric, threshold: expression, ok: data.metrics[metric]?.thresholds?.[expression]?.ok ?? true };
    }),
  );
  return {
    testType: plan.type,
    generator: 'k6',
    baseUrl: plan.settings.baseUrl,
    durationMs: data.state.testRunDurationMs,
    iterations: count('iterations'),
    droppedIterations: count('dropped_iterations'),
    requests: count('http_reqs'),
    failedRequests: data.metrics.http_req_failed?.values.passes ?? 0,
    latency: latencyOf(data.metrics.http_req_duration),
    steps: stepsOf(data),
    checks: checksOf(data.root_group),
    thresholds,
    passed: thresholds.every((result) => result.ok),
  };
}

/** handleSummary's answer: the JSON summary and JUnit XML files, and the text report on stdout. */
export function summaryOutputs(data: K6SummaryData, plan: TestPlan): Record<string, string> {
  const summary = summaryFromK6(data, plan);
  return { ...summaryFiles(summary, plan.settings.summaryDir), stdout: summaryText(summary) };
}
