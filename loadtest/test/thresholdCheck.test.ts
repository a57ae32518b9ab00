import { testPlan, type Thresholds } from '../scenarios';
import { Metrics } from '../runner/metrics';
import { htmlReport } from '../runner/report';
import { runSummary } from '../runner/runSummary';
import { abortingThreshold, judgeThresholds } from '../runner/thresholdCheck';

/** Metrics on a clock the test moves, so nothing here depends on how fast the machine is. */
function metricsAt(): { metrics: Metrics; advance: (ms: number) => void } {
  let now = 0;
  const metrics = new Metrics(() => now);
  return { metrics, advance: (ms) => (now += ms) };
}

const verdicts = (thresholds: Thresholds, metrics: Metrics) => judgeThresholds(thresholds, metrics).map(({ metric, threshold, ok }) => `${ok ? 'ok' : 'FAIL'} ${metric} ${threshold}`);

describe("the runner's thresholds", () => {
  it('judges the expressions the k6 scripts use on the whole run and on each step', () => {
    const { metrics } = metricsAt();
    for (let index = 0; index < 100; index++) metrics.request({ step: 'dashboard', method: 'GET', path: '/', status: 200, durationMs: index + 1 });
    metrics.request({ step: 'login', method: 'POST', path: '/login', status: 500, durationMs: 900 });
    metrics.check('login', 'redirects to the dashboard', false);
    metrics.check('dashboard', 'shows the dashboard', true);
    metrics.iterationDropped();
    const thresholds: Thresholds = {
      http_req_duration: ['p(95)<0', 'p(50)<100', 'max<1000', 'avg<100', 'med<60'],
      'http_req_duration{step:dashboard}': ['p(99)<500', 'max<=100'],
      'http_req_duration{step:login}': ['p(99)<500'],
      http_req_failed: ['rate<0.001'],
      'http_req_failed{step:dashboard}': ['rate<0.01'],
      checks: ['rate>0.99'],
      'checks{step:dashboard}': ['rate==1'],
      dropped_iterations: ['count<1', 'count<10'],
      'http_req_failed{step:api_get}': ['rate<0.01'],
    };
    expect(verdicts(thresholds, metrics)).toEqual([
      'FAIL http_req_duration p(95)<0',
      'ok http_req_duration p(50)<100',
      'ok http_req_duration max<1000',
      'ok http_req_duration avg<100',
      'ok http_req_duration med<60',
      'ok http_req_duration{step:dashboard} p(99)<500',
      'ok http_req_duration{step:dashboard} max<=100',
      'FAIL http_req_duration{step:login} p(99)<500',
      'FAIL http_req_failed rate<0.001',
      'ok http_req_failed{step:dashboard} rate<0.01',
      'FAIL checks rate>0.99',
      'ok checks{step:dashboard} rate==1',
      'FAIL dropped_iterations count<1',
      'ok dropped_iterations count<10',
      // A step that made no request passes, as an empty k6 metric does.
      'ok http_req_failed{step:api_get} rate<0.01',
    ]);
  });

  it('refuses, before any request, a metric, selector or aggregation it cannot judge', () => {
    const { metrics } = metricsAt();
    expect(() => judgeThresholds({ vus: ['value<10'] }, metrics)).toThrow('not vus');
    expect(() => judgeThresholds({ 'http_req_duration{status:200}': ['p(95)<200'] }, metrics)).toThrow('only {step:…} selectors');
    expect(() => judgeThresholds({ checks: ['p(95)<1'] }, metrics)).toThrow('p(95) is not an aggregation of a rate metric');
    expect(() => judgeThresholds({ checks: ['rate>>1'] }, metrics)).toThrow('is not a threshold expression');
  });

  it('aborts on an abortOnFail threshold only once its delayAbortEval has passed, and never on one without abortOnFail', () => {
    const { metrics, advance } = metricsAt();
    metrics.startLoad();
    metrics.request({ step: 'login', method: 'POST', path: '/login', status: 0, durationMs: 5 });
    const thresholds: Thresholds = { http_req_failed: ['rate<0.001', { threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '30s' }] };
    advance(29_000);
    expect(abortingThreshold(thresholds, metrics)).toBeUndefined();
    advance(1_000);
    expect(abortingThreshold(thresholds, metrics)).toMatchObject({ metric: 'http_req_failed', threshold: 'rate<0.05', ok: false });
    expect(abortingThreshold({ http_req_failed: ['rate<0.001'] }, metrics)).toBeUndefined();
  });

  it("gives every stress and breakpoint plan's thresholds a verdict, and the summary and report the k6 shape and each step", () => {
    const { metrics, advance } = metricsAt();
    metrics.startLoad();
    metrics.request({ step: 'login', method: 'POST', path: '/login', status: 303, durationMs: 120 });
    advance(1_500);
    metrics.request({ step: 'dashboard', method: 'GET', path: '/', status: 503, durationMs: 40 });
    metrics.check('dashboard', 'shows the dashboard', false);
    metrics.iterationCompleted();
    const plan = testPlan('stress', {});
    const thresholds = judgeThresholds(plan.options.thresholds, metrics).map(({ metric, threshold, ok }) => ({ metric, threshold, ok }));
    const summary = runSummary(plan, metrics, thresholds, 1_500);
    expect(summary).toMatchObject({
      testType: 'stress',
      generator: 'node',
      iterations: 1,
      requests: 2,
      failedRequests: 1,
      passed: false,
      steps: { login: { requests: 1, failures: 0 }, dashboard: { requests: 1, failures: 1 } },
      checks: [{ name: 'dashboard shows the dashboard', passes: 0, fails: 1 }],
    });
    expect(summary.steps.login.latency.p99).toBeCloseTo(120, 0);
    expect(thresholds).toHaveLength(Object.values(plan.options.thresholds).flat().length);
    const report = htmlReport(summary, metrics);
    expect(report).toContain('data-series="login"');
    expect(report).toContain('data-series="dashboard"');
    expect(report).toContain('Thresholds failed');
    // One chart per step besides the overview (its lines named by percentile), and a stress run (an open model) says where it broke.
    expect(report.match(/data-series="login"/g)).toHaveLength(1);
    expect(report).toContain('>login: p99</text>');
    expect(report).toContain('>dashboard: p99</text>');
    expect(report).toContain('Where it broke');
    const smoke = htmlReport({ ...summary, testType: 'smoke' }, metrics);
    expect(smoke).not.toContain('Where it broke');
    expect(smoke).toContain("from each request's send");
  });
});
