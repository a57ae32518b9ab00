import { junitXml, measuredValue, summaryText, type LoadSummary, type ThresholdResult } from '../scenarios';

const summary: LoadSummary = {
  testType: 'load',
  generator: 'node',
  baseUrl: 'http://localhost:3000',
  durationMs: 60_000,
  iterations: 120,
  droppedIterations: 12,
  requests: 2400,
  failedRequests: 3,
  latency: { avg: 90, p50: 80, p90: 180, p95: 213.44, p99: 400, max: 900 },
  steps: {
    login: { requests: 120, failures: 2, latency: { p50: 300, p95: 700, p99: 1234.56 } },
    dashboard: { requests: 240, failures: 0, latency: {} },
  },
  checks: [
    { name: 'login redirects to the dashboard', passes: 118, fails: 2 },
    { name: 'dashboard shows the dashboard', passes: 240, fails: 0 },
  ],
  thresholds: [
    { metric: 'http_req_duration', threshold: 'p(95)<200', ok: false },
    { metric: 'http_req_duration{step:login}', threshold: 'p(99)<1000', ok: false },
    { metric: 'http_req_failed', threshold: 'rate<0.001', ok: false },
    { metric: 'checks', threshold: 'rate>0.99', ok: true },
    { metric: 'dropped_iterations', threshold: 'count<10', ok: false },
  ],
  passed: false,
};

const measured = (metric: string, threshold: string) => measuredValue(summary, { metric, threshold, ok: true } satisfies ThresholdResult);

describe('the measured value of a threshold', () => {
  it('is worked out from the summary for the latencies, rates and counts it holds', () => {
    expect(measured('http_req_duration', 'p(95)<200')).toEqual({ value: 213.44, text: '213.4 ms' });
    expect(measured('http_req_duration', 'med<100')).toEqual({ value: 80, text: '80.0 ms' });
    expect(measured('http_req_duration{step:login}', 'p(99)<1000')).toEqual({ value: 1234.56, text: '1234.6 ms' });
    expect(measured('http_req_failed', 'rate<0.001')).toEqual({ value: 3 / 2400, text: '0.00125 (3 of 2400)' });
    expect(measured('http_req_failed{step:login}', 'rate<0.01')).toEqual({ value: 2 / 120, text: '0.01667 (2 of 120)' });
    expect(measured('checks', 'rate>0.99')).toEqual({ value: 358 / 360, text: '0.9944 (358 of 360)' });
    expect(measured('checks{step:login}', 'rate>0.99')).toEqual({ value: 118 / 120, text: '0.9833 (118 of 120)' });
    expect(measured('dropped_iterations', 'count<10')).toEqual({ value: 12, text: '12' });
    expect(measured('http_reqs{step:dashboard}', 'count>0')).toEqual({ value: 240, text: '240' });
  });

  it('is left out where the summary cannot say', () => {
    expect(measured('http_req_duration', 'min<10')).toBeUndefined();
    expect(measured('http_req_duration{step:dashboard}', 'p(99)<500')).toBeUndefined();
    expect(measured('http_req_failed{step:api_get}', 'rate<0.01')).toBeUndefined();
    expect(measured('http_req_duration{status:200}', 'p(95)<200')).toBeUndefined();
    expect(measured('dropped_iterations', 'rate<1')).toBeUndefined();
    expect(measured('vus', 'value<10')).toBeUndefined();
  });
});

describe('the threshold lines of the text summary and the JUnit XML', () => {
  it('give the measured value beside each threshold, and only the verdict where there is none', () => {
    const text = summaryText({ ...summary, thresholds: [...summary.thresholds, { metric: 'http_req_duration', threshold: 'min<10', ok: true }] });
    expect(text).toContain('  FAIL http_req_duration: p(95)<200 (measured 213.4 ms)\n');
    expect(text).toContain('  FAIL http_req_duration{step:login}: p(99)<1000 (measured 1234.6 ms)\n');
    expect(text).toContain('  ok   checks: rate>0.99 (measured 0.9944 (358 of 360))\n');
    expect(text).toContain('  FAIL dropped_iterations: count<10 (measured 12)\n');
    expect(text).toContain('  ok   http_req_duration: min<10\n');
    const xml = junitXml(summary);
    expect(xml).toContain('<failure message="http_req_duration: p(95)&lt;200 failed, measured 213.4 ms" type="threshold"/>');
    expect(xml).toContain('<failure message="http_req_failed: rate&lt;0.001 failed, measured 0.00125 (3 of 2400)" type="threshold"/>');
    expect(xml).not.toContain('rate&gt;0.99 failed');
  });
});
