import { JOURNEY_STEPS, RESPONSE_TIME_TARGET_MS, summaryText, type LoadSummary } from '../scenarios';
import { breakingPoints, breakingPointsText } from './breakingPoints';
import { lineChart } from './lineChart';
import type { Metrics } from './metrics';

function escape(text: string): string {
  return text.replace(/[<>&]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[character] as string);
}

/**
 * The run as a page a tester reads: each step's p95 second by second (where a stress or spike run
 * broke, and which step first), the arrivals, drops and failures second by second, the first
 * second each target was missed, and the text summary with the thresholds.
 */
export function htmlReport(summary: LoadSummary, metrics: Metrics): string {
  const steps = JOURNEY_STEPS.filter((step) => metrics.seconds.some((second) => second.byStep.has(step)));
  // Smoke is a closed model: its iterations have no scheduled start, and nothing "broke" at a rate.
  const openModel = summary.testType !== 'smoke';
  const measuredFrom = openModel ? 'from the scheduled start: see loadtest/README.md' : 'from each request\'s send';
  const target = { label: `target ${RESPONSE_TIME_TARGET_MS} ms`, y: RESPONSE_TIME_TARGET_MS };
  const p95Of = (step: (typeof steps)[number]) => metrics.seconds.map((second) => second.byStep.get(step)?.percentile(95));
  const overview = lineChart(
    steps.map((step) => ({ name: step, values: p95Of(step) })),
    { title: `p95 per step, second by second (${measuredFrom})`, yLabel: 'ms (log scale)', logScale: true, marks: [target] },
  );
  // One chart per step as well, on the same scale: seventeen lines on one chart cannot all be told apart.
  const perStep = steps.map((step) => lineChart([{ name: step, values: p95Of(step) }], { title: `${step}: p95`, yLabel: 'ms (log scale)', logScale: true, marks: [target] }));
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
    overview,
    load,
    ...(openModel ? ['<h2>Where it broke</h2>', `<pre>${escape(breakingPointsText(breakingPoints(metrics)))}</pre>`] : []),
    '<h2>Each step</h2>',
    `<div class="steps">${perStep.join('\n')}</div>`,
    `<pre>${escape(summaryText(summary))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
