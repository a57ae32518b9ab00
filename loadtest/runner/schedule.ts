import { durationSeconds, type ConstantArrivalRateProfile, type RampingArrivalRateProfile } from '../scenarios';

export type ArrivalRateProfile = ConstantArrivalRateProfile | RampingArrivalRateProfile;

interface RateStage {
  seconds: number;
  /** Iterations per second at the stage's start and end; k6 ramps linearly between them. */
  from: number;
  to: number;
}

function rateStages(profile: ArrivalRateProfile): RateStage[] {
  const unit = durationSeconds(profile.timeUnit);
  if (profile.executor === 'constant-arrival-rate') {
    const rate = profile.rate / unit;
    return [{ seconds: durationSeconds(profile.duration), from: rate, to: rate }];
  }
  let from = profile.startRate / unit;
  return profile.stages.map((stage) => {
    const to = stage.target / unit;
    const seconds = durationSeconds(stage.duration);
    const rateStage = { seconds, from, to };
    from = to;
    return rateStage;
  });
}

/** Guards the comparison of a stage's area with a whole count against floating-point drift. */
const EPSILON = 1e-9;

/**
 * When each iteration of an arrival-rate profile is due, in milliseconds from the start of the
 * load, in order: iteration i starts when the integral of the rate reaches i, as k6 schedules them,
 * so the schedule is fixed before the first request and nothing the server does can move it.
 */
export function* arrivalOffsets(profile: ArrivalRateProfile): Generator<number> {
  let stageStart = 0;
  let before = 0;
  let next = 0;
  for (const { seconds, from, to } of rateStages(profile)) {
    const area = ((from + to) / 2) * seconds;
    const acceleration = seconds > 0 ? (to - from) / (2 * seconds) : 0;
    while (next - before < area - EPSILON) {
      const count = next - before;
      // The positive root of acceleration·t² + from·t = count, in a form that holds for a constant rate too.
      const t = count === 0 ? 0 : (2 * count) / (from + Math.sqrt(Math.max(0, from * from + 4 * acceleration * count)));
      yield (stageStart + t) * 1000;
      next++;
    }
    before += area;
    stageStart += seconds;
  }
}
