import { type Objective, type SloFile, durationSeconds, errorBudget } from './schema';

/** Every window a burn-rate alert reads, shortest first. */
export function alertWindows(slos: SloFile): string[] {
  const windows = new Set(slos.burnRates.flatMap((rate) => [rate.long, rate.short]));
  return [...windows].sort((a, b) => durationSeconds(a) - durationSeconds(b));
}

export function ratioRecord(slo: Objective, window: string): string {
  return `todobox:${slo.record}:rate${window}`;
}

export const EVENTS_RECORD = 'todobox:slo_events:rate5m';
export const BAD_EVENTS_RECORD = 'todobox:slo_bad_events:rate5m';

export function badRatioRecord(slos: SloFile): string {
  return `todobox:slo_bad_ratio:rate${slos.window}`;
}

export function budgetRemainingRecord(slos: SloFile): string {
  return `todobox:slo_error_budget_remaining:ratio${slos.window}`;
}

/** A share as people read it: 0.00144 -> "0.144 %". */
export function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))} %`;
}

/** The alert threshold as PromQL that shows where it comes from: (14.4 * 0.001). */
export function burnThreshold(factor: number, slo: Objective): string {
  return factor === 1 ? `${errorBudget(slo)}` : `(${factor} * ${errorBudget(slo)})`;
}

export function humanDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hours`;
  return `${Math.round(seconds / 60)} minutes`;
}
