/**
 * The load tests' one source of truth, shared by the k6 scripts (loadtest/k6/) and the in-repo
 * runner: journeys, mix, load profiles, thresholds, setup and teardown, summary. Plain
 * TypeScript: no k6, Node or npm import, so any JavaScript runtime runs it.
 */
import { loadProfile, type LoadProfile, type TestType } from './profiles.ts';
import { loadSettings, type Env, type LoadSettings } from './settings.ts';
import { thresholdsFor, type Thresholds } from './thresholds.ts';

export * from './client.ts';
export * from './journeys.ts';
export * from './mix.ts';
export * from './pages.ts';
export * from './profiles.ts';
export * from './settings.ts';
export * from './steps.ts';
export * from './summary.ts';
export * from './thresholds.ts';
export * from './users.ts';

/** The trend statistics a summary reports (k6's summaryTrendStats); p(99) is among them for the per-step limits. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/** setup() creates accounts, logs each in (a password hash each) and seeds their todos: minutes, not k6's default 60 s. */
export const SETUP_TIMEOUT = '10m';
export const TEARDOWN_TIMEOUT = '5m';

/**
 * k6's system tags but `url`: every request's step (its `step` tag, and the `name` tag the k6
 * client sets to it) says what it was, and a URL with a todo's id in it would make a new time series
 * for every todo a soak creates (k6 warns past 100,000; remote write would carry each to Prometheus).
 */
export const SYSTEM_TAGS = ['proto', 'subproto', 'status', 'method', 'name', 'group', 'check', 'error', 'error_code', 'tls_version', 'scenario', 'service', 'expected_response'];

/** The options of a test, in k6's shape: what a k6 script exports as `options`, and what the runner runs. */
export interface TestOptions {
  scenarios: Record<string, LoadProfile>;
  thresholds: Thresholds;
  systemTags: string[];
  summaryTrendStats: string[];
  setupTimeout: string;
  teardownTimeout: string;
}

export interface TestPlan {
  type: TestType;
  settings: LoadSettings;
  profile: LoadProfile;
  options: TestOptions;
}

/** Everything a test of this type runs with in this environment; the one scenario is named after the type. */
export function testPlan(type: TestType, env: Env): TestPlan {
  const settings = loadSettings(env);
  const profile = loadProfile(type, settings);
  const thresholds = thresholdsFor(type, profile, { latency: settings.latencyThresholds });
  return {
    type,
    settings,
    profile,
    options: { scenarios: { [type]: profile }, thresholds, systemTags: SYSTEM_TAGS, summaryTrendStats: SUMMARY_TREND_STATS, setupTimeout: SETUP_TIMEOUT, teardownTimeout: TEARDOWN_TIMEOUT },
  };
}
