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
  /** RAMP_UP's and RAMP_DOWN's defaults: up to RATE, held for DURATION, down to nothing. None: one climb over DURATION. */
  ramp?: { up: string; down: string };
}

/** Iterations of the smoke test: one whole turn of the mix, so every journey runs. */
export const SMOKE_ITERATIONS = 20;

export const TEST_SHAPES: Record<Exclude<TestType, 'smoke'>, Shape> = {
  load: {
    purpose: 'average load: the traffic of a normal day, held long enough to see it is met',
    rate: 10,
    duration: '10m',
    ramp: { up: '2m', down: '1m' },
  },
  stress: {
    purpose: 'above-average load, held: how the deployment copes when traffic is well over normal',
    rate: 20,
    duration: '10m',
    ramp: { up: '5m', down: '2m' },
  },
  spike: {
    purpose: 'a sudden, short surge far over normal and back: does it survive and recover',
    rate: 50,
    duration: '1m',
    ramp: { up: '30s', down: '30s' },
  },
  soak: {
    purpose: 'average load for hours: leaks, growing queues, filling disks, expiring sessions',
    rate: 10,
    duration: '1h',
    ramp: { up: '2m', down: '2m' },
  },
  breakpoint: {
    purpose: 'a steady climb to far beyond capacity, stopped when the thresholds break: where is the limit',
    rate: 200,
    duration: '30m',
  },
};

/** The settings a test type does not read, by variable: given one, a test stops rather than ignore it. */
function refuseUnusedSettings(type: TestType, settings: LoadSettings): void {
  const openModel: Array<[keyof LoadSettings, string]> = [
    ['rate', 'RATE'],
    ['timeUnit', 'TIME_UNIT'],
    ['preAllocatedVUs', 'PRE_ALLOCATED_VUS'],
    ['maxVUs', 'MAX_VUS'],
  ];
  const ramps: Array<[keyof LoadSettings, string]> = [
    ['rampUp', 'RAMP_UP'],
    ['rampDown', 'RAMP_DOWN'],
  ];
  const closedModel: Array<[keyof LoadSettings, string]> = [
    ['vus', 'VUS'],
    ['iterations', 'ITERATIONS'],
  ];
  const [unused, why] =
    type === 'smoke'
      ? [[...openModel, ...ramps], 'it is a closed model, VUS virtual users sharing ITERATIONS iterations']
      : type === 'breakpoint'
        ? [[...closedModel, ...ramps], 'it is an open model sized by RATE, one climb over DURATION']
        : [closedModel, 'it is an open model sized by RATE'];
  const given = unused.filter(([key]) => settings[key] !== undefined).map(([, variable]) => variable);
  if (given.length > 0) throw new Error(`${given.join(', ')} ${given.length === 1 ? 'does' : 'do'} not apply to the ${type} test: ${why}`);
}

/** A VU pool for a peak rate: most iterations take well under a second; a slow server needs up to ten. */
function vuPool(peak: number, timeUnitSeconds: number, settings: LoadSettings): { preAllocatedVUs: number; maxVUs: number } {
  const perSecond = peak / timeUnitSeconds;
  const preAllocatedVUs = settings.preAllocatedVUs ?? Math.max(2, Math.ceil(perSecond * 2));
  const maxVUs = Math.max(settings.maxVUs ?? Math.max(10, Math.ceil(perSecond * 10)), preAllocatedVUs);
  return { preAllocatedVUs, maxVUs };
}

/** The profile a test type runs with these settings (RATE, DURATION, RAMP_UP, RAMP_DOWN, TIME_UNIT, the VU pool; VUS and ITERATIONS for smoke). */
export function loadProfile(type: TestType, settings: LoadSettings): LoadProfile {
  refuseUnusedSettings(type, settings);
  if (type === 'smoke') {
    return { executor: 'shared-iterations', vus: settings.vus ?? 2, iterations: settings.iterations ?? SMOKE_ITERATIONS, maxDuration: settings.duration ?? '2m' };
  }
  const shape = TEST_SHAPES[type];
  const rate = settings.rate ?? shape.rate;
  const timeUnit = settings.timeUnit ?? '1s';
  const duration = settings.duration ?? shape.duration;
  const stages: Stage[] = shape.ramp
    ? [
        { duration: settings.rampUp ?? shape.ramp.up, target: rate },
        { duration, target: rate },
        { duration: settings.rampDown ?? shape.ramp.down, target: 0 },
      ]
    : [{ duration, target: rate }];
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
