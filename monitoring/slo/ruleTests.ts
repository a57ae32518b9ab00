import { type BurnRate, type Objective, type SloFile, durationSeconds, errorBudget } from './schema';
import { BURN_ALERT, GROUPS, ruleGroups } from './rules';
import { budgetRemainingRecord, percent } from './windows';

/** The env every test series carries, as the shipped scrape configs attach it. */
export const TEST_ENV = 'production';
/** Not the shipped base, so a passing test shows the link comes from the external label. */
const TEST_RUNBOOK_BASE = 'https://runbooks.example.test/todobox';
const EVENTS_PER_MINUTE = 10_000;
/** Quiet traffic spends a quarter of the budget: what a month that meets its objective looks like. */
const QUIET_SHARE_OF_BUDGET = 0.25;
const MINUTE = 60;
/** Burn rates tried, as multiples of a pair's factor, until every window is clear of a threshold. */
const BURST_MULTIPLIERS = [1.5, 2, 1.25, 3];
/** How far from a threshold a window's ratio must stay for the outcome not to depend on rounding. */
const MARGIN = 0.1;

interface Phase {
  minutes: number;
  /** Share of the events in this phase that are bad. */
  badShare: number;
}

interface Series {
  series: string;
  values: string;
}

/** promtool's expanding notation for a counter that grows by `perMinute` in each phase. */
function counterValues(phases: Phase[], perMinute: (phase: Phase) => number): string {
  const round = (value: number) => Number(value.toFixed(6));
  let last = 0;
  return phases
    .map((phase, index) => {
      const step = round(perMinute(phase));
      const start = index === 0 ? 0 : round(last + step);
      const repeats = index === 0 ? phase.minutes : phase.minutes - 1;
      last = round(start + step * repeats);
      return `${start}+${step}x${repeats}`;
    })
    .join(' ');
}

function labels(job: string, extra: Record<string, string>): string {
  const all = { job, env: TEST_ENV, instance: 'server-1:9191', ...extra };
  return Object.entries(all)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
}

function inputSeries(slo: Objective, phases: Phase[]): Series[] {
  const total = () => EVENTS_PER_MINUTE;
  const bad = (phase: Phase) => EVENTS_PER_MINUTE * phase.badShare;
  const good = (phase: Phase) => EVENTS_PER_MINUTE * (1 - phase.badShare);
  if ('errors' in slo.sli) {
    const { counter, job, label, examples } = slo.sli.errors;
    return [
      { series: `${counter}{${labels(job, { [label]: examples.good })}}`, values: counterValues(phases, good) },
      { series: `${counter}{${labels(job, { [label]: examples.bad })}}`, values: counterValues(phases, bad) },
    ];
  }
  const { histogram, job, thresholdSeconds } = slo.sli.latency;
  return [
    { series: `${histogram}_count{${labels(job, {})}}`, values: counterValues(phases, total) },
    { series: `${histogram}_bucket{${labels(job, { le: String(thresholdSeconds) })}}`, values: counterValues(phases, good) },
    { series: `${histogram}_bucket{${labels(job, { le: '+Inf' })}}`, values: counterValues(phases, total) },
  ];
}

/** The share of bad events in the last `seconds` of the phases. */
function shareOver(phases: Phase[], seconds: number): number {
  let minutesLeft = seconds / MINUTE;
  let bad = 0;
  for (const phase of [...phases].reverse()) {
    const taken = Math.min(minutesLeft, phase.minutes);
    bad += taken * phase.badShare;
    minutesLeft -= taken;
    if (minutesLeft === 0) break;
  }
  return bad / (seconds / MINUTE);
}

interface Outcome {
  firing: BurnRate[];
  /** Whether some window's ratio lies too close to its threshold to be sure of the outcome. */
  ambiguous: boolean;
}

function outcome(slos: SloFile, slo: Objective, phases: Phase[]): Outcome {
  let ambiguous = false;
  const firing = slos.burnRates.filter((rate) => {
    const threshold = rate.factor * errorBudget(slo);
    const above = [rate.long, rate.short].map((window) => {
      const relative = shareOver(phases, durationSeconds(window)) / threshold;
      if (Math.abs(relative - 1) < MARGIN) ambiguous = true;
      return relative > 1;
    });
    return above.every(Boolean);
  });
  return { firing, ambiguous };
}

/** Long enough for the longest window to be filled with quiet traffic before anything happens. */
function quietMinutes(slos: SloFile): number {
  return Math.max(...slos.burnRates.map((rate) => durationSeconds(rate.long))) / MINUTE;
}

function expectedAlert(slos: SloFile, slo: Objective, rate: BurnRate) {
  const rule = ruleGroups(slos)
    .flatMap((group) => group.rules)
    .find((candidate) => 'alert' in candidate && candidate.labels.objective === slo.name && candidate.labels.window === rate.name);
  if (!rule || !('alert' in rule)) throw new Error(`No ${BURN_ALERT} rule for ${slo.name}/${rate.name}`);
  const runbookUrl = rule.annotations.runbook_url.replace('{{ $externalLabels.runbook_base_url }}', TEST_RUNBOOK_BASE);
  return { exp_labels: { ...rule.labels, env: TEST_ENV }, exp_annotations: { ...rule.annotations, runbook_url: runbookUrl } };
}

/**
 * Quiet days, then the pair's long window at a burn a little above its factor. Of the bursts whose
 * every window stays clear of its threshold, the one that fires the fewest other pairs is taken, so
 * each case shows its own pair as alone as the windows allow (a day at 3x is also 3 days at 1x).
 */
function burstCase(slos: SloFile, slo: Objective, rate: BurnRate) {
  const quiet: Phase = { minutes: quietMinutes(slos), badShare: QUIET_SHARE_OF_BUDGET * errorBudget(slo) };
  const candidates = BURST_MULTIPLIERS.map((multiplier) => rate.factor * multiplier * errorBudget(slo))
    .filter((badShare) => badShare < 1)
    .map((badShare) => {
      const phases = [quiet, { minutes: durationSeconds(rate.long) / MINUTE, badShare }];
      return { badShare, phases, ...outcome(slos, slo, phases) };
    })
    .filter((candidate) => !candidate.ambiguous && candidate.firing.includes(rate))
    .sort((a, b) => a.firing.length - b.firing.length);
  const chosen = candidates[0];
  if (!chosen) throw new Error(`No burst for ${slo.name}/${rate.name} keeps every window clear of its threshold: adjust BURST_MULTIPLIERS`);
  const totalMinutes = chosen.phases.reduce((sum, phase) => sum + phase.minutes, 0);
  return {
    name: `${slo.name}: ${percent(chosen.badShare)} bad events for ${rate.long}, after quiet days, fires the ${rate.name} burn (${chosen.firing.map((fired) => fired.name).join(', ')})`,
    external_labels: { runbook_base_url: TEST_RUNBOOK_BASE },
    interval: '1m',
    input_series: inputSeries(slo, chosen.phases),
    alert_rule_test: [
      { eval_time: `${totalMinutes}m`, alertname: BURN_ALERT, exp_alerts: chosen.firing.map((fired) => expectedAlert(slos, slo, fired)) },
    ],
  };
}

/**
 * Bad events at a quarter of the budget: nothing fires, and three quarters of the budget remain. The
 * history is as long as the longest alert window, not a whole month: the budget is the same share of
 * whatever the month holds, and a month of samples would make the suite crawl.
 */
function quietCase(slos: SloFile, slo: Objective) {
  const minutes = quietMinutes(slos) + 60;
  const phases: Phase[] = [{ minutes, badShare: QUIET_SHARE_OF_BUDGET * errorBudget(slo) }];
  const remainingPercent = Math.round((1 - QUIET_SHARE_OF_BUDGET) * 100);
  return {
    name: `${slo.name}: ${percent(phases[0].badShare)} bad events for ${minutes / 60} hours stays silent and leaves ${remainingPercent} % of the budget`,
    external_labels: { runbook_base_url: TEST_RUNBOOK_BASE },
    interval: '1m',
    input_series: inputSeries(slo, phases),
    alert_rule_test: [{ eval_time: `${minutes}m`, alertname: BURN_ALERT, exp_alerts: [] }],
    promql_expr_test: [
      {
        expr: `round(100 * ${budgetRemainingRecord(slos)}{slo="${slo.name}"})`,
        eval_time: `${minutes}m`,
        exp_samples: [{ labels: `{env="${TEST_ENV}",slo="${slo.name}"}`, value: remainingPercent }],
      },
    ],
  };
}

export function ruleTestFile(slos: SloFile, ruleFile: string) {
  return {
    rule_files: [ruleFile],
    // Hourly evaluations keep a month of history quick; ratios are recorded before the budgets and
    // the alerts that read them at each instant.
    evaluation_interval: '1h',
    group_eval_order: [GROUPS.ratios, GROUPS.budget, GROUPS.alerts],
    tests: slos.objectives.flatMap((slo) => [quietCase(slos, slo), ...slos.burnRates.map((rate) => burstCase(slos, slo, rate))]),
  };
}
