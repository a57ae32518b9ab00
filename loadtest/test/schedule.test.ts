import { loadProfile, loadSettings, plannedIterations, TEST_TYPES, type RampingArrivalRateProfile } from '../scenarios';
import { arrivalOffsets, type ArrivalRateProfile } from '../runner/schedule';

const offsets = (profile: ArrivalRateProfile) => [...arrivalOffsets(profile)];
const pool = { preAllocatedVUs: 1, maxVUs: 1 };

describe('the open model schedule', () => {
  it('starts a constant rate evenly: iteration i at i / rate', () => {
    const starts = offsets({ executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '2s', ...pool });
    expect(starts).toHaveLength(20);
    starts.forEach((start, index) => expect(start).toBeCloseTo(index * 100, 6));
  });

  it('reads the rate per time unit', () => {
    const starts = offsets({ executor: 'constant-arrival-rate', rate: 30, timeUnit: '1m', duration: '10s', ...pool });
    expect(starts).toEqual([0, 2000, 4000, 6000, 8000].map(expect.closeTo as (n: number) => number));
  });

  it('ramps linearly within a stage as k6 does: the gaps shrink going up, grow going down, and the count is the area', () => {
    const profile: RampingArrivalRateProfile = { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', stages: [{ duration: '10s', target: 10 }, { duration: '10s', target: 0 }], ...pool };
    const starts = offsets(profile);
    expect(starts).toHaveLength(plannedIterations(profile));
    const gaps = starts.slice(1).map((start, index) => start - starts[index]);
    const up = gaps.slice(0, 48);
    const down = gaps.slice(52);
    up.slice(1).forEach((gap, index) => expect(gap).toBeLessThan(up[index]));
    down.slice(1).forEach((gap, index) => expect(gap).toBeGreaterThan(down[index]));
    // Half the ramp's iterations are due by 10·√(1/2) s, where the area under the rate reaches 25.
    expect(starts[25]).toBeCloseTo(Math.sqrt(50) * 1000, 3);
    expect(starts.every((start) => start >= 0 && start < 20_000)).toBe(true);
  });

  it.each(TEST_TYPES.filter((type) => type !== 'smoke'))('schedules what plannedIterations counts for %s', (type) => {
    const profile = loadProfile(type, loadSettings({ DURATION: '1m' })) as ArrivalRateProfile;
    expect(Math.abs(offsets(profile).length - plannedIterations(profile))).toBeLessThanOrEqual(1);
  });
});
