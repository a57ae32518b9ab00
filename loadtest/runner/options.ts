import { Command, Option } from 'commander';
import { TEST_TYPES, testPlan, type Env, type TestType } from '../scenarios';
import { LOCAL_APP_ENGINES } from './localApp';
import type { EngineName } from '../../bench/engines';

/**
 * The runner's command line. Each flag stands for one of the k6 scripts' environment variables
 * (loadtest/README.md) and wins over it, as `k6 run -e` wins over the process environment; the
 * rest (ADMIN_PASSWORD, LOAD_USERS, API_TOKENS: secrets) come from the environment only, so they
 * stay out of the process list.
 */
const FLAG_VARIABLES = {
  url: 'BASE_URL',
  rate: 'RATE',
  timeUnit: 'TIME_UNIT',
  duration: 'DURATION',
  rampUp: 'RAMP_UP',
  rampDown: 'RAMP_DOWN',
  preAllocatedVus: 'PRE_ALLOCATED_VUS',
  maxVus: 'MAX_VUS',
  vus: 'VUS',
  iterations: 'ITERATIONS',
  users: 'USERS',
  seedTodos: 'SEED_TODOS',
  adminEmail: 'ADMIN_EMAIL',
  summaryDir: 'SUMMARY_DIR',
} as const;

export interface RunnerArguments {
  scenario: TestType;
  env: Env;
  /** --local-app: start this checkout's app here on that engine, with --workers processes. */
  localApp?: { engine: EngineName; workers: number };
}

export function runnerCommand(): Command {
  return new Command('npm run loadtest --')
    .description('Runs a load test of loadtest/scenarios (the k6 scripts\' journeys, profiles and thresholds) as an open model from Node, and writes the same summary as k6.')
    .addOption(new Option('--scenario <type>', 'the test type').choices(TEST_TYPES).makeOptionMandatory())
    .option('--url <url>', 'the deployment (BASE_URL)')
    .option('--rate <n>', 'iterations per time unit at the plateau, peak or ceiling (RATE)')
    .option('--time-unit <duration>', 'the unit of --rate (TIME_UNIT, default 1s)')
    .option('--duration <duration>', "the main stage's length, e.g. 90s, 10m (DURATION)")
    .option('--ramp-up <duration>', 'the climb to --rate before the main stage (RAMP_UP; load, stress, spike, soak)')
    .option('--ramp-down <duration>', 'the fall to nothing after it (RAMP_DOWN)')
    .option('--pre-allocated-vus <n>', 'k6 pre-allocates VUs; the runner has none to allocate, accepted for the same options (PRE_ALLOCATED_VUS)')
    .option('--max-vus <n>', 'iterations in flight at most; more are dropped and counted (MAX_VUS)')
    .option('--vus <n>', "smoke's VUs (VUS)")
    .option('--iterations <n>', "smoke's iterations (ITERATIONS)")
    .option('--users <n>', 'load users setup creates (USERS)')
    .option('--seed-todos <n>', 'todos setup gives each load user (SEED_TODOS)')
    .option('--admin-email <email>', 'the administrator setup creates the load users as (ADMIN_EMAIL; the password only from ADMIN_PASSWORD)')
    .option('--no-latency-thresholds', 'leave the latency thresholds out (LATENCY_THRESHOLDS=false)')
    .option('--summary-dir <dir>', 'where the summary, JUnit XML and report go (SUMMARY_DIR)')
    .addOption(new Option('--local-app <engine>', "instead of --url: start this checkout's built app here in production mode on a database of its own").choices(LOCAL_APP_ENGINES))
    .addOption(new Option('--workers <n>', "--local-app's worker processes (WEB_CONCURRENCY, default 1)"));
}

/** The test type and the environment the test plan is read from: the process's, with the flags over it. */
export function parseRunnerArguments(argv: string[], processEnv: Env): RunnerArguments {
  const options = runnerCommand().exitOverride().parse(argv, { from: 'user' }).opts<Record<string, string | boolean | undefined>>();
  const env: Env = { ...processEnv };
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    const value = options[flag];
    if (typeof value === 'string') env[variable] = value;
  }
  if (options.latencyThresholds === false) env.LATENCY_THRESHOLDS = 'false';
  if (typeof options.workers === 'string' && typeof options.localApp !== 'string') {
    throw new Error('--workers sets the processes of the app --local-app starts: a deployment at --url has its own');
  }
  const workers = Number(options.workers ?? '1');
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a whole number of at least 1 (got "${options.workers}")`);
  if (typeof options.localApp === 'string' && typeof options.url === 'string') {
    throw new Error('--url names a deployment and --local-app starts one here: give one of them');
  }
  const localApp = typeof options.localApp === 'string' ? { engine: options.localApp as EngineName, workers } : undefined;
  const scenario = options.scenario as TestType;
  try {
    testPlan(scenario, env);
  } catch (error) {
    throw new Error(namingFlags(error instanceof Error ? error.message : String(error), options));
  }
  return { scenario, env, localApp };
}

/** A settings message names variables (RATE); where the value came from a flag, it names the flag too: "--rate (RATE)". */
function namingFlags(message: string, options: Record<string, string | boolean | undefined>): string {
  let named = message;
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    if (typeof options[flag] !== 'string') continue;
    const option = `--${flag.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    named = named.replace(new RegExp(`\\b${variable}\\b`), `${option} (${variable})`);
  }
  return named;
}
