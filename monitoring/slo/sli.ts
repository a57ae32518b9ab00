import type { Objective } from './schema';

/**
 * PromQL for an objective's events and bad events over a window, summed per env so one Prometheus
 * serves several deployments. A window without a single bad event yields 0, not nothing, so ratios
 * and budgets read 0 % spent instead of "no data".
 */
/** The scrape job an objective's events come from: its alerts carry it, so TodoBoxDown inhibits only the app's own. */
export function sliJob(slo: Objective): string {
  return 'errors' in slo.sli ? slo.sli.errors.job : slo.sli.latency.job;
}

export function eventsRate(slo: Objective, window: string): string {
  if ('errors' in slo.sli) {
    const { counter, job } = slo.sli.errors;
    return `sum by (env) (rate(${counter}{job="${job}"}[${window}]))`;
  }
  const { histogram, job } = slo.sli.latency;
  return `sum by (env) (rate(${histogram}_count{job="${job}"}[${window}]))`;
}

export function goodEventsRate(slo: Objective, window: string): string | undefined {
  if ('errors' in slo.sli) return undefined;
  const { histogram, job, thresholdSeconds } = slo.sli.latency;
  return `sum by (env) (rate(${histogram}_bucket{job="${job}",le="${thresholdSeconds}"}[${window}]))`;
}

export function badEventsRate(slo: Objective, window: string): string {
  const good = goodEventsRate(slo, window);
  if (good !== undefined) return `${eventsRate(slo, window)} - ${good}`;
  const { counter, job, label, matches } = (slo.sli as { errors: { counter: string; job: string; label: string; matches: string } }).errors;
  return `(sum by (env) (rate(${counter}{job="${job}",${label}=~"${matches}"}[${window}])) or 0 * ${eventsRate(slo, window)})`;
}

/** The share of bad events over a window: NaN with no events at all, which no threshold matches. */
export function badRatio(slo: Objective, window: string): string {
  const good = goodEventsRate(slo, window);
  if (good !== undefined) return `1 - (\n  ${good}\n  /\n  ${eventsRate(slo, window)}\n)`;
  return `${badEventsRate(slo, window)}\n/\n${eventsRate(slo, window)}`;
}
