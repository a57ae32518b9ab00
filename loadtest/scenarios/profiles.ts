import { durationSeconds, type LoadSettings } from './settings.ts';

/**
 * The load profile of each test type, as Grafana's k6 documentation defines the types, in the
 * shape of a k6 scenario. Every profile but smoke is an open model (an arrival-rate executor):
 * iterations start on schedule whatever the server does, so a slow server cannot slow the
 * arrivals down and hide its own latency. RATE counts iterations of the whole mix (journeys.ts)
 * per TIME_UNIT.
 */
export const TEST_TYPES = ['smoke', 'load', 'stress', 'spike', 'soak', 'breakpoint'] as const;
export type TestType = (typeof TEST_TYPES)[number];

export interface Stage {
  duration: string;
  target: number;
}

export interface SharedIterationsProfile {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDuration: string;
}

export interface ConstantArrivalRateProfile {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnit: string;
  duration: string;
  preAllocatedVUs: number;
  maxVUs: number;
}

export interface RampingArrivalRateProfile {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnit: string;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs: number;
}

export type LoadProfile = SharedIterationsProfile | ConstantArrivalRateProfile | RampingArrivalRateProfile;

export function isTestType(name: string): name is TestType {
  return (TEST_TYPES as readonly string[]).includes(name);
}

interface Shape {
  /** What the test is for, in one line (the README says more). */
  purpose: string;
  /** RATE's default. */
  rate: number;
  /** DURATION's default: the length of the stage DURATION sets. */
  duration: string;
  stages: (rate: number, duration: string) => Stage[];
}

/** Iterations of the smoke test: one whole turn of the mix, so every journey runs. */
export const SMOKE_ITERATIONS = 20;

/** Up to the rate in `rampUp`, held for the test's duration, down to nothing in `rampDown`. */
function rampHoldDown(rampUp: string, rampDown: string): Shape['stages'] {
  return (rate, duration) => [
    { duration: rampUp, target: rate },
    { duration, target: rate },
    { duration: rampDown, target: 0 },
  ];
}

export const TEST_SHAPES: Record<Exclude<TestType, 'smoke'>, Shape> = {
  load: {
    purpose: 'average load: the traffic of a normal day, held long enough to see it is met',
    rate: 10,
    duration: '10m',
    stages: rampHoldDown('2m', '1m'),
  },
  stress: {
    purpose: 'above-average load, held: how the deployment copes when traffic is well over normal',
    rate: 20,
    duration: '10m',
    stages: rampHoldDown('5m', '2m'),
  },
  spike: {
    purpose: 'a sudden, short surge far over normal and back: does it survive and recover',
    rate: 50,
    duration: '1m',
    stages: rampHoldDown('30s', '30s'),
  },
  soak: {
    purpose: 'average load for hours: leaks, growing queues, filling disks, expiring sessions',
    rate: 10,
    duration: '1h',
    stages: rampHoldDown('2m', '2m'),
  },
  breakpoint: {
    purpose: 'a steady climb to far beyond capacity, stopped when the thresholds break: where is the limit',
    rate: 200,
    duration: '30m',
    stages: (rate, duration) => [{ duration, target: rate }],
  },
};

/** A VU pool for a peak rate: most iterations take well under a second; a slow server needs up to ten. */
function vuPool(peak: number, timeUnitSeconds: number, settings: LoadSettings): { preAllocatedVUs: number; maxVUs: number } {
  const perSecond = peak / timeUnitSeconds;
  const preAllocatedVUs = settings.preAllocatedVUs ?? Math.max(2, Math.ceil(perSecond * 2));
  const maxVUs = Math.max(settings.maxVUs ?? Math.max(10, Math.ceil(perSecond * 10)), preAllocatedVUs);
  return { preAllocatedVUs, maxVUs };
}

/** The profile a test type runs with these settings (RATE, DURATION, TIME_UNIT, the VU pool, VUS/ITERATIONS for smoke). */
export function loadProfile(type: TestType, settings: LoadSettings): LoadProfile {
  if (type === 'smoke') {
    return { executor: 'shared-iterations', vus: settings.vus ?? 2, iterations: settings.iterations ?? SMOKE_ITERATIONS, maxDuration: settings.duration ?? '2m' };
  }
  const shape = TEST_SHAPES[type];
  const rate = settings.rate ?? shape.rate;
  const timeUnit = settings.timeUnit ?? '1s';
  const stages = shape.stages(rate, settings.duration ?? shape.duration);
  return { executor: 'ramping-arrival-rate', startRate: 0, timeUnit, stages, ...vuPool(rate, durationSeconds(timeUnit), settings) };
}

/** Seconds from the first iteration's start to the last one's (smoke: its maxDuration, an upper bound). */
export function profileSeconds(profile: LoadProfile): number {
  switch (profile.executor) {
    case 'shared-iterations':
      return durationSeconds(profile.maxDuration);
    case 'constant-arrival-rate':
      return durationSeconds(profile.duration);
    case 'ramping-arrival-rate':
      return profile.stages.reduce((total, stage) => total + durationSeconds(stage.duration), 0);
  }
}

/** The iterations a profile schedules; an arrival rate ramps linearly within each stage, as k6 ramps it. */
export function plannedIterations(profile: LoadProfile): number {
  switch (profile.executor) {
    case 'shared-iterations':
      return profile.iterations;
    case 'constant-arrival-rate':
      return Math.round((profile.rate * durationSeconds(profile.duration)) / durationSeconds(profile.timeUnit));
    case 'ramping-arrival-rate': {
      let rate = profile.startRate;
      let total = 0;
      for (const stage of profile.stages) {
        total += ((rate + stage.target) / 2) * durationSeconds(stage.duration);
        rate = stage.target;
      }
      return Math.round(total / durationSeconds(profile.timeUnit));
    }
  }
}

/** The highest arrival rate a profile reaches, per second (smoke: none, it is closed). */
export function peakRatePerSecond(profile: LoadProfile): number {
  switch (profile.executor) {
    case 'shared-iterations':
      return 0;
    case 'constant-arrival-rate':
      return profile.rate / durationSeconds(profile.timeUnit);
    case 'ramping-arrival-rate':
      return Math.max(profile.startRate, ...profile.stages.map((stage) => stage.target)) / durationSeconds(profile.timeUnit);
  }
}
