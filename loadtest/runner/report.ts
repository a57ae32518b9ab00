import { JOURNEY_STEPS, RESPONSE_TIME_TARGET_MS, parseThresholdExpression, stepMetric, summaryText, type JourneyStep, type LoadSummary } from '../scenarios';
import { breakingPointsText } from './breakingPoints';
import { lineChart } from './lineChart';
import type { Metrics } from './metrics';

function escape(text: string): string {
  return text.replace(/[<>&]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[character] as string);
}

/** The line a chart is about: all requests together, what the 200 ms target and "where it broke" read. */
const ALL_REQUESTS = { name: 'all requests', colour: '#000', width: 3 };

/** A step's latency threshold as its chart draws it: the percentile it judges and the limit, if the run had one. */
export interface StepLimit {
  percentile: number;
  ms?: number;
}

/**
 * The step's own latency threshold, read from the thresholds the run judged (p(99)<500, p(99)<1000
 * for a password step) so the chart shows what failed or held; a run without latency thresholds
 * still gets the p99 drawn, with no limit to hold it against.
 */
export function stepLimit(summary: LoadSummary, step: JourneyStep): StepLimit {
  for (const result of summary.thresholds.filter((each) => each.metric === stepMetric('http_req_duration', step))) {
    const expression = parseThresholdExpression(result.threshold);
    if (expression.percentile !== undefined && (expression.comparison === '<' || expression.comparison === '<=')) return { percentile: expression.percentile, ms: expression.value };
  }
  return { percentile: 99 };
}

/**
 * The run as a page a tester reads: the p95 of all requests second by second against the 200 ms
 * target (where a stress or spike run broke), each step's p95 beside it (which step first), the
 * arrivals, drops and failures second by second, the first second each target was missed, each
 * step's p99 against its own limit, and the text summary with the thresholds.
 */
export function htmlReport(summary: LoadSummary, metrics: Metrics): string {
  const steps = JOURNEY_STEPS.filter((step) => metrics.seconds.some((second) => second.byStep.has(step)));
  // Smoke is a closed model: its iterations have no scheduled start, and nothing "broke" at a rate.
  const openModel = summary.testType !== 'smoke';
  const measuredFrom = openModel ? 'from the scheduled start: see loadtest/README.md' : 'from each request\'s send';
  const target = { label: `target ${RESPONSE_TIME_TARGET_MS} ms`, y: RESPONSE_TIME_TARGET_MS };
  const allP95 = { ...ALL_REQUESTS, values: metrics.seconds.map((second) => (second.all.count > 0 ? second.all.percentile(95) : undefined)) };
  const stepPercentile = (step: JourneyStep, p: number) => metrics.seconds.map((second) => second.byStep.get(step)?.percentile(p));
  const overall = lineChart([allP95], { title: `p95 of all requests, second by second (${measuredFrom})`, yLabel: 'ms (log scale)', logScale: true, marks: [target] });
  const overview = lineChart(
    [allP95, ...steps.map((step) => ({ name: step, values: stepPercentile(step, 95) }))],
    { title: 'p95 per step, and of all requests, second by second', yLabel: 'ms (log scale)', logScale: true, marks: [target] },
  );
  // One chart per step as well: eighteen lines on one chart cannot all be told apart. Each holds the
  // statistic of the step's own threshold against its limit; the 200 ms target is the whole run's p95.
  const perStep = steps.map((step) => {
    const limit = stepLimit(summary, step);
    const marks = limit.ms === undefined ? [] : [{ label: `limit p${limit.percentile} < ${limit.ms} ms`, y: limit.ms }];
    const lines = [{ name: `p${limit.percentile}`, colour: '#1f77b4', width: 2, values: stepPercentile(step, limit.percentile) }];
    if (limit.percentile !== 95) lines.push({ name: 'p95', colour: '#aaa', width: 1.5, values: stepPercentile(step, 95) });
    return lineChart(lines, { title: `${step}: p${limit.percentile}`, yLabel: 'ms (log scale)', logScale: true, marks, size: 'small' });
  });
  const load = lineChart(
    [
      { name: 'iterations started', values: metrics.seconds.map((second) => second.started) },
      { name: 'iterations dropped', values: metrics.seconds.map((second) => second.dropped) },
      { name: 'requests failed', values: metrics.seconds.map((second) => second.failed) },
    ],
    { title: 'Arrivals, drops and failures per second', yLabel: 'per second' },
  );
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escape(`${summary.testType} load test: ${summary.baseUrl}`)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em;max-width:1000px}pre{background:#f6f6f6;padding:1em;overflow-x:auto}svg{width:100%;height:auto;margin:1em 0}.steps{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:0 1em}</style>',
    '</head><body>',
    `<h1>${escape(`${summary.testType} against ${summary.baseUrl}`)}</h1>`,
    `<p>${summary.passed ? 'All thresholds held.' : '<strong>Thresholds failed.</strong>'}</p>`,
    overall,
    overview,
    load,
    ...(openModel ? ['<h2>Where it broke</h2>', `<pre>${escape(breakingPointsText(summary.run?.breakingPoints ?? []))}</pre>`] : []),
    '<h2>Each step</h2>',
    '<p>Each step at the percentile its threshold judges, against the threshold\'s limit; its p95 in grey, hidden behind the p99 in a second with too few requests for the two to differ.</p>',
    `<div class="steps">${perStep.join('\n')}</div>`,
    `<pre>${escape(summaryText(summary))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
