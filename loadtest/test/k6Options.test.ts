import fs from 'node:fs';
import path from 'node:path';
import {
  JOURNEY_STEPS,
  TEST_TYPES,
  parseMetricKey,
  parseThresholdExpression,
  testPlan,
  thresholdText,
  type ObjectThreshold,
  type TestType,
} from '../scenarios';
import { K6_DIR, loadK6Script } from './k6Scripts';

jest.mock('k6', () => jest.requireActual('./k6Stubs'), { virtual: true });
jest.mock('k6/http', () => ({ __esModule: true, default: jest.requireActual('./k6Stubs').http }), { virtual: true });
jest.mock('k6/execution', () => ({ __esModule: true, default: jest.requireActual('./k6Stubs').execution }), { virtual: true });

const ENVIRONMENTS: Record<string, Record<string, string>> = {
  defaults: {},
  overridden: { BASE_URL: 'https://todo.example.com/', RATE: '7', DURATION: '3m', MAX_VUS: '99', VUS: '3', ITERATIONS: '40', LATENCY_THRESHOLDS: 'false' },
};

describe('the k6 scripts in loadtest/k6', () => {
  it('are one per test type, and nothing else', () => {
    const scripts = fs.readdirSync(K6_DIR).filter((file) => file.endsWith('.ts')).map((file) => path.basename(file, '.ts'));
    expect(scripts.sort()).toEqual([...TEST_TYPES].sort());
  });

  describe.each(Object.entries(ENVIRONMENTS))('with the %s environment', (_name, env) => {
    it.each([...TEST_TYPES])('%s.ts exports the options the shared module gives the runner for the same test', (type) => {
      const script = loadK6Script(type, env);
      expect(script.options).toEqual(testPlan(type, env).options);
      for (const name of ['setup', 'teardown', 'default', 'handleSummary'] as const) expect(typeof script[name]).toBe('function');
    });
  });

  it('fail to load with a wrong setting, naming it', () => {
    expect(() => loadK6Script('load', { RATE: 'fast' })).toThrow('RATE must be a positive number (got "fast")');
    expect(() => loadK6Script('soak', { DURATION: 'an hour' })).toThrow(/^DURATION must be a duration/);
  });
});

describe('the shared load profiles and thresholds', () => {
  const plan = (type: TestType, env: Record<string, string> = {}) => testPlan(type, env);

  it('run every test but smoke as an open model, and soak for an hour unless DURATION says otherwise', () => {
    expect(plan('smoke').profile.executor).toBe('shared-iterations');
    for (const type of TEST_TYPES.filter((name) => name !== 'smoke')) expect(plan(type).profile.executor).toMatch(/-arrival-rate$/);
    const soak = plan('soak').profile;
    const soakFor = (env: Record<string, string>) => (plan('soak', env).profile as { stages: Array<{ duration: string }> }).stages[1].duration;
    expect(soak.executor === 'ramping-arrival-rate' && soak.stages[1]).toEqual({ duration: '1h', target: 10 });
    expect(soakFor({ DURATION: '4h' })).toBe('4h');
  });

  it.each([...TEST_TYPES])("%s holds the guide's targets: p(95) under 200 ms, errors under 0.1 %%, checks over 99 %%", (type) => {
    const texts = (key: string) => (plan(type).options.thresholds[key] ?? []).map(thresholdText);
    expect(texts('http_req_duration')).toContain('p(95)<200');
    expect(texts('http_req_failed')).toContain('rate<0.001');
    expect(texts('checks')).toContain('rate>0.99');
    if (type !== 'smoke') expect(texts('dropped_iterations')[0]).toMatch(/^count<\d+$/);
  });

  it('abort a stress or breakpoint run that is hopeless, and no other', () => {
    for (const type of TEST_TYPES) {
      const aborting = Object.values(plan(type).options.thresholds)
        .flat()
        .filter((threshold): threshold is ObjectThreshold => typeof threshold === 'object' && threshold.abortOnFail === true);
      if (type === 'stress' || type === 'breakpoint') expect(aborting.length).toBeGreaterThan(0);
      else expect(aborting).toEqual([]);
      for (const threshold of aborting) expect(threshold.delayAbortEval).toMatch(/^\d+[sm]$/);
    }
  });

  it('write only expressions and metric keys a runner can read, and name only steps the journeys have, each of them', () => {
    for (const type of TEST_TYPES) {
      const thresholds = plan(type).options.thresholds;
      const stepsNamed = new Set<string>();
      for (const [key, list] of Object.entries(thresholds)) {
        const { tags } = parseMetricKey(key);
        if (tags.step !== undefined) stepsNamed.add(tags.step);
        for (const threshold of list) expect(() => parseThresholdExpression(thresholdText(threshold))).not.toThrow();
      }
      expect([...stepsNamed].sort()).toEqual([...JOURNEY_STEPS].sort());
    }
  });

  it('leave every latency threshold out with LATENCY_THRESHOLDS=false, and keep the rest', () => {
    for (const type of TEST_TYPES) {
      const keys = Object.keys(plan(type, { LATENCY_THRESHOLDS: 'false' }).options.thresholds);
      expect(keys.filter((key) => key.startsWith('http_req_duration'))).toEqual([]);
      expect(keys).toEqual(expect.arrayContaining(['http_req_failed', 'checks']));
    }
  });
});
