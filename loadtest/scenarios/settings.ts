/**
 * The environment a load test reads (k6: `-e NAME=value` or the process environment, both in
 * `__ENV`; the in-repo runner: its options and process.env), turned into one checked settings
 * object. A wrong value fails at once, naming the variable.
 */

export type Env = Record<string, string | undefined>;

export interface Credentials {
  email: string;
  password: string;
}

export interface LoadSettings {
  /** BASE_URL: the deployment, without a trailing slash (default http://localhost:9191). */
  baseUrl: string;
  /** RATE: the test's target arrival rate, iterations per TIME_UNIT (plateau; spike's peak; breakpoint's ceiling). */
  rate?: number;
  /** TIME_UNIT: the unit of RATE, a k6 duration (default 1s). */
  timeUnit?: string;
  /** DURATION: the length of the test's main stage, a k6 duration such as 90s, 10m or 1h30m. */
  duration?: string;
  /** RAMP_UP and RAMP_DOWN: the climb to RATE before DURATION and the fall to nothing after it (load, stress, spike, soak). */
  rampUp?: string;
  rampDown?: string;
  /** PRE_ALLOCATED_VUS and MAX_VUS: the arrival-rate executors' VU pool (MAX_VUS caps iterations in flight). */
  preAllocatedVUs?: number;
  maxVUs?: number;
  /** VUS and ITERATIONS: the smoke test's size. */
  vus?: number;
  iterations?: number;
  /** LOAD_USERS="email:password,…": existing accounts the journeys log in as. */
  users: Credentials[];
  /** API_TOKENS="token,…": personal tokens for the API journey. */
  apiTokens: string[];
  /** ADMIN_EMAIL and ADMIN_PASSWORD: with them setup() creates the load users, and teardown() deletes them. */
  admin?: Credentials;
  /** USERS: how many load users setup() creates with the admin credential (default: enough for the test's rate). */
  userCount?: number;
  /** SEED_TODOS: todos setup() gives each user it creates, for the reading journeys to read (default 10). */
  seedTodos: number;
  /** LATENCY_THRESHOLDS=false leaves the latency thresholds out (a functional run on a machine of unknown speed). */
  latencyThresholds: boolean;
  /** SUMMARY_DIR: where the JSON summary and the JUnit XML go (default loadtest/results). */
  summaryDir: string;
}

export const DEFAULT_BASE_URL = 'http://localhost:9191';
export const DEFAULT_SEED_TODOS = 10;
export const DEFAULT_SUMMARY_DIR = 'loadtest/results';

const DURATION_PATTERN = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

/** Seconds in a k6 duration ("1h", "30m", "1m30s", "500ms"); throws on anything else. */
export function durationSeconds(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match || text.trim() === '' || match.slice(1).every((part) => part === undefined)) {
    throw new Error(`"${text}" is not a duration such as 90s, 10m, 1h or 1h30m`);
  }
  const [hours, minutes, seconds, milliseconds] = match.slice(1).map((part) => Number(part ?? 0));
  return hours * 3600 + minutes * 60 + seconds + milliseconds / 1000;
}

/** A number of seconds as a k6 duration ("3600" -> "1h", "90" -> "1m30s"). */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const whole = Math.round(seconds);
  const parts = [
    [Math.floor(whole / 3600), 'h'],
    [Math.floor((whole % 3600) / 60), 'm'],
    [whole % 60, 's'],
  ] as const;
  return parts
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join('');
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function positive(env: Env, name: string, { integer }: { integer: boolean }): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new Error(`${name} must be a positive ${integer ? 'whole ' : ''}number (got "${value}")`);
  }
  return number;
}

/** A duration setting; `zero` allows 0s (a ramp that jumps at once, as a k6 stage of 0s does). */
function duration(env: Env, name: string, { zero }: { zero: boolean } = { zero: false }): string | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  try {
    if (durationSeconds(value) < 0 || (!zero && durationSeconds(value) === 0)) throw new Error('zero');
  } catch {
    throw new Error(`${name} must be a duration such as 90s, 10m, 1h or 1h30m (got "${value}")`);
  }
  return value;
}

function list(env: Env, name: string): string[] {
  return (text(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function credentialsList(env: Env, name: string): Credentials[] {
  return list(env, name).map((item) => {
    const separator = item.indexOf(':');
    if (separator <= 0 || separator === item.length - 1) throw new Error(`${name} must be email:password pairs separated by commas`);
    return { email: item.slice(0, separator), password: item.slice(separator + 1) };
  });
}

function baseUrl(env: Env): string {
  const value = text(env, 'BASE_URL') ?? DEFAULT_BASE_URL;
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(value)) throw new Error(`BASE_URL must be an http:// or https:// URL (got "${value}")`);
  return value.replace(/\/+$/, '');
}

function admin(env: Env): Credentials | undefined {
  const email = text(env, 'ADMIN_EMAIL');
  const password = env.ADMIN_PASSWORD;
  if (email === undefined && !password) return undefined;
  if (email === undefined || !password) throw new Error('ADMIN_EMAIL and ADMIN_PASSWORD go together');
  return { email, password };
}

/** The load test's settings from an environment; throws naming the first wrong variable. */
export function loadSettings(env: Env): LoadSettings {
  const latency = text(env, 'LATENCY_THRESHOLDS');
  if (latency !== undefined && latency !== 'true' && latency !== 'false') {
    throw new Error(`LATENCY_THRESHOLDS must be true or false (got "${latency}")`);
  }
  const timeUnit = duration(env, 'TIME_UNIT');
  const seedTodos = text(env, 'SEED_TODOS');
  if (seedTodos !== undefined && !/^\d+$/.test(seedTodos)) throw new Error(`SEED_TODOS must be a whole number (got "${seedTodos}")`);
  return {
    baseUrl: baseUrl(env),
    rate: positive(env, 'RATE', { integer: false }),
    timeUnit,
    duration: duration(env, 'DURATION'),
    rampUp: duration(env, 'RAMP_UP', { zero: true }),
    rampDown: duration(env, 'RAMP_DOWN', { zero: true }),
    preAllocatedVUs: positive(env, 'PRE_ALLOCATED_VUS', { integer: true }),
    maxVUs: positive(env, 'MAX_VUS', { integer: true }),
    vus: positive(env, 'VUS', { integer: true }),
    iterations: positive(env, 'ITERATIONS', { integer: true }),
    users: credentialsList(env, 'LOAD_USERS'),
    apiTokens: list(env, 'API_TOKENS'),
    admin: admin(env),
    userCount: positive(env, 'USERS', { integer: true }),
    seedTodos: seedTodos === undefined ? DEFAULT_SEED_TODOS : Number(seedTodos),
    latencyThresholds: latency !== 'false',
    summaryDir: (text(env, 'SUMMARY_DIR') ?? DEFAULT_SUMMARY_DIR).replace(/\/+$/, ''),
  };
}
