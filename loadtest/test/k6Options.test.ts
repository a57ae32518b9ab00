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
jest.mock('k6/timers', () => ({ setTimeout: (callback: () => void, milliseconds: number) => setTimeout(callback, milliseconds) }), { virtual: true });
jest.mock('k6/execution', () => ({ __esModule: true, default: jest.requireActual('./k6Stubs').execution }), { virtual: true });

const OVERRIDES = { BASE_URL: 'https://todo.example.com/', DURATION: '3m', LATENCY_THRESHOLDS: 'false' };

/** Every setting a test type reads, away from its default. */
const ENVIRONMENTS: Record<string, (type: TestType) => Record<string, string>> = {
  defaults: () => ({}),
  overridden: (type) => {
    if (type === 'smoke') return { ...OVERRIDES, VUS: '3', ITERATIONS: '40' };
    const openModel = { ...OVERRIDES, RATE: '7', TIME_UNIT: '2s', PRE_ALLOCATED_VUS: '4', MAX_VUS: '99' };
    return type === 'breakpoint' ? openModel : { ...openModel, RAMP_UP: '20s', RAMP_DOWN: '10s' };
  },
};

describe('the k6 scripts in loadtest/k6', () => {
  it('are one per test type, and nothing else', () => {
    const scripts = fs.readdirSync(K6_DIR).filter((file) => file.endsWith('.ts')).map((file) => path.basename(file, '.ts'));
    expect(scripts.sort()).toEqual([...TEST_TYPES].sort());
  });

  describe.each(Object.entries(ENVIRONMENTS))('with the %s environment', (_name, environment) => {
    it.each([...TEST_TYPES])('%s.ts exports the options the shared module gives the runner for the same test', (type) => {
      const env = environment(type);
      const script = loadK6Script(type, env);
      expect(script.options).toEqual(testPlan(type, env).options);
      for (const name of ['setup', 'teardown', 'default', 'handleSummary'] as const) expect(typeof script[name]).toBe('function');
    });
  });

  it('fail to load with a wrong setting, naming it', () => {
    expect(() => loadK6Script('load', { RATE: 'fast' })).toThrow('RATE must be a positive number (got "fast")');
    expect(() => loadK6Script('soak', { DURATION: 'an hour' })).toThrow(/^DURATION must be a duration/);
    expect(() => loadK6Script('load', { RAMP_UP: 'soon' })).toThrow(/^RAMP_UP must be a duration/);
    expect(() => loadK6Script('load', { DURATION: '0s' })).toThrow(/^DURATION must be a duration/);
  });

  it('refuse a setting their test type does not read, rather than run another test than the one asked for', () => {
    expect(() => loadK6Script('smoke', { RATE: '30' })).toThrow('RATE does not apply to the smoke test: it is a closed model, VUS virtual users sharing ITERATIONS iterations');
    expect(() => loadK6Script('load', { VUS: '5', ITERATIONS: '9' })).toThrow('VUS, ITERATIONS do not apply to the load test: it is an open model sized by RATE');
    expect(() => loadK6Script('breakpoint', { RAMP_DOWN: '1m' })).toThrow('RAMP_DOWN does not apply to the breakpoint test: it is an open model sized by RATE, one climb over DURATION');
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

  it("leave k6's url tag out, so a URL with a todo's id in it never becomes a time series of its own", () => {
    for (const type of TEST_TYPES) {
      expect(plan(type).options.systemTags).not.toContain('url');
      expect(plan(type).options.systemTags).toEqual(expect.arrayContaining(['name', 'status', 'method', 'scenario', 'check']));
    }
  });

  it('ramp up and down as RAMP_UP and RAMP_DOWN say, around the DURATION held', () => {
    const stages = (type: TestType, env: Record<string, string>) => (plan(type, env).profile as { stages: unknown[] }).stages;
    expect(stages('load', {})).toEqual([{ duration: '2m', target: 10 }, { duration: '10m', target: 10 }, { duration: '1m', target: 0 }]);
    expect(stages('stress', { RAMP_UP: '30s', DURATION: '1m', RAMP_DOWN: '15s', RATE: '12' })).toEqual([
      { duration: '30s', target: 12 },
      { duration: '1m', target: 12 },
      { duration: '15s', target: 0 },
    ]);
    expect(stages('breakpoint', { DURATION: '5m' })).toEqual([{ duration: '5m', target: 200 }]);
    // A ramp of 0s jumps to the rate at once, as a k6 stage of 0s does.
    expect(stages('spike', { RAMP_UP: '0s', RAMP_DOWN: '0s' })).toEqual([{ duration: '0s', target: 50 }, { duration: '1m', target: 50 }, { duration: '0s', target: 0 }]);
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
