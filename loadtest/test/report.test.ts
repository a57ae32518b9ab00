import { testPlan } from '../scenarios';
import { lineChart, lineStyle } from '../runner/lineChart';
import { Metrics } from '../runner/metrics';
import { htmlReport, stepLimit } from '../runner/report';
import { runSummary } from '../runner/runSummary';
import { judgeThresholds } from '../runner/thresholdCheck';
import { Trend } from '../runner/trend';

/** The SVG charts of a report, each as its own text. */
const charts = (report: string) => report.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

describe('a trend', () => {
  it('never gives a percentile above the largest value recorded or below the smallest (the histogram rounds to its bucket)', () => {
    const trend = new Trend();
    trend.record(222.424);
    trend.record(100.001);
    // Unclamped, the histogram answers 222.463 and 99.968 here: the top and bottom of the values' buckets.
    expect(trend.percentile(95)).toBe(222.424);
    expect(trend.percentile(100)).toBe(trend.max);
    expect(trend.percentile(0)).toBe(100.001);
    expect(trend.percentile(0)).toBe(trend.min);
    expect(new Trend().percentile(95)).toBe(0);
  });
});

describe('a line chart', () => {
  it('gives each of 20 series its own colour and dash, and a series its own colour and width when it asks', () => {
    const styles = Array.from({ length: 20 }, (_, index) => JSON.stringify(lineStyle(index)));
    expect(new Set(styles).size).toBe(20);
    const svg = lineChart(
      [
        { name: 'a', values: [1, 2] },
        { name: 'main', values: [3, 4], colour: '#000', width: 3 },
      ],
      { title: 't', yLabel: 'ms' },
    );
    expect(svg).toContain(`data-series="a" fill="none" stroke="${lineStyle(0).stroke}" stroke-width="1.5"`);
    expect(svg).toContain('data-series="main" fill="none" stroke="#000" stroke-width="3"');
    // The wide line is drawn last, over the others.
    expect(svg.indexOf('data-series="main"')).toBeGreaterThan(svg.indexOf('data-series="a"'));
    const dashed = lineChart(Array.from({ length: 12 }, (_, index) => ({ name: `s${index}`, values: [index + 1] })), { title: 't', yLabel: 'ms' });
    expect(dashed).toContain(`stroke="${lineStyle(10).stroke}" stroke-width="1.5" stroke-dasharray="8 4"`);
  });

  it('lays a small chart out in a viewBox about its size on the page, so its text is not shrunk', () => {
    expect(lineChart([{ name: 'a', values: [1] }], { title: 't', yLabel: 'ms' })).toContain('viewBox="0 0 960 380" font-family="sans-serif" font-size="12"');
    expect(lineChart([{ name: 'a', values: [1] }], { title: 't', yLabel: 'ms', size: 'small' })).toContain('viewBox="0 0 480 260" font-family="sans-serif" font-size="12"');
  });
});

describe('the HTML report', () => {
  function loadRun() {
    let now = 0;
    const metrics = new Metrics(() => now);
    metrics.startLoad();
    for (let second = 0; second < 4; second++) {
      now = second * 1000;
      metrics.request({ step: 'login', method: 'POST', path: '/login', status: 303, durationMs: 700 });
      metrics.request({ step: 'dashboard', method: 'GET', path: '/', status: 200, durationMs: 30 });
    }
    const plan = testPlan('load', {});
    const thresholds = judgeThresholds(plan.options.thresholds, metrics).map(({ metric, threshold, ok }) => ({ metric, threshold, ok }));
    return { summary: runSummary(plan, metrics, thresholds, 4_000), metrics };
  }

  it('draws the p95 of all requests first, alone and as a thick black line in the overview, against the 200 ms target', () => {
    const { summary, metrics } = loadRun();
    const [overall, overview] = charts(htmlReport(summary, metrics));
    expect(overall).toContain('p95 of all requests');
    expect(overall).toContain('target 200 ms');
    expect(overall).toContain('data-series="all requests" fill="none" stroke="#000" stroke-width="3"');
    expect(overall).not.toContain('data-series="login"');
    expect(overview).toContain('data-series="all requests" fill="none" stroke="#000" stroke-width="3"');
    expect(overview).toContain('data-series="login"');
    expect(overview).toContain('target 200 ms');
  });

  it("draws each step's p99 against the limit of its own threshold, 1000 ms for a login, not the 200 ms target", () => {
    const { summary, metrics } = loadRun();
    expect(stepLimit(summary, 'login')).toEqual({ percentile: 99, ms: 1000 });
    expect(stepLimit(summary, 'dashboard')).toEqual({ percentile: 99, ms: 500 });
    const login = charts(htmlReport(summary, metrics)).find((chart) => chart.includes('>login: p99</text>')) ?? '';
    expect(login).toContain('limit p99 &lt; 1000 ms');
    expect(login).toContain('data-series="p99"');
    expect(login).toContain('data-series="p95"');
    expect(login).not.toContain('target 200 ms');
    expect(login).toContain('viewBox="0 0 480 260"');
    const dashboard = charts(htmlReport(summary, metrics)).find((chart) => chart.includes('>dashboard: p99</text>')) ?? '';
    expect(dashboard).toContain('limit p99 &lt; 500 ms');
  });

  it('still draws the p99 of a step, with no limit, in a run without latency thresholds', () => {
    const { summary, metrics } = loadRun();
    const functional = { ...summary, thresholds: summary.thresholds.filter((result) => !result.metric.startsWith('http_req_duration')) };
    expect(stepLimit(functional, 'login')).toEqual({ percentile: 99 });
    const login = charts(htmlReport(functional, metrics)).find((chart) => chart.includes('>login: p99</text>')) ?? '';
    expect(login).toContain('data-series="p99"');
    expect(login).not.toContain('limit');
  });
});
