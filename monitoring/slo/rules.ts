import { type BurnRate, type Objective, type SloFile, durationSeconds, errorBudget } from './schema';
import { badEventsRate, badRatio, eventsRate, sliJob } from './sli';
import {
  BAD_EVENTS_RECORD,
  EVENTS_RECORD,
  alertWindows,
  badRatioRecord,
  budgetRemainingRecord,
  burnThreshold,
  humanDuration,
  percent,
  ratioRecord,
} from './windows';

export const SLO_DASHBOARD = '/d/todobox-slo';
export const BURN_ALERT = 'ErrorBudgetBurn';

/** Group names, in the order an instant evaluates them: ratios first, then budgets, then alerts. */
export const GROUPS = { ratios: 'todobox-slo-sli', budget: 'todobox-slo-budget', alerts: 'todobox-slo' } as const;

interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

interface AlertRule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<RecordingRule | AlertRule>;
}

function ratioRules(slos: SloFile): RecordingRule[] {
  return slos.objectives.flatMap((slo) => [
    ...alertWindows(slos).map((window) => ({ record: ratioRecord(slo, window), expr: badRatio(slo, window) })),
    { record: EVENTS_RECORD, expr: eventsRate(slo, '5m'), labels: { slo: slo.name } },
    { record: BAD_EVENTS_RECORD, expr: badEventsRate(slo, '5m'), labels: { slo: slo.name } },
  ]);
}

/**
 * The whole window's ratio is read from the 5-minute event rates recorded above (one series per env
 * and objective), never from the raw histograms: a month of raw samples per request series would
 * make each evaluation, and each dashboard refresh, scan millions of samples. The ratio of the sums
 * weighs every 5 minutes by its traffic, as a ratio of counts would.
 */
function budgetRules(slos: SloFile): RecordingRule[] {
  const window = slos.window;
  return [
    {
      record: badRatioRecord(slos),
      expr: `sum by (env, slo) (sum_over_time(${BAD_EVENTS_RECORD}[${window}]))\n/\nsum by (env, slo) (sum_over_time(${EVENTS_RECORD}[${window}]))`,
    },
    ...slos.objectives.map((slo) => ({
      record: budgetRemainingRecord(slos),
      expr: `1 - ${badRatioRecord(slos)}{slo="${slo.name}"} / ${errorBudget(slo)}`,
      labels: { slo: slo.name },
    })),
  ];
}

function burnAlert(slos: SloFile, slo: Objective, rate: BurnRate): AlertRule {
  const windowSeconds = durationSeconds(slos.window);
  const threshold = burnThreshold(rate.factor, slo);
  const spentPerLongWindow = (rate.factor * durationSeconds(rate.long)) / windowSeconds;
  const what = slo.title.toLowerCase();
  const summary =
    rate.factor === 1
      ? `TodoBox spends its ${what} error budget faster than it accrues`
      : `TodoBox burns its ${what} error budget ${rate.factor} times too fast`;
  return {
    alert: BURN_ALERT,
    expr: `${ratioRecord(slo, rate.long)} > ${threshold}\nand\n${ratioRecord(slo, rate.short)} > ${threshold}`,
    labels: { severity: rate.severity, job: sliJob(slo), objective: slo.name, window: rate.name },
    annotations: {
      summary,
      description:
        `More than ${percent(rate.factor * errorBudget(slo))} of events missed the ${what} objective over the last ` +
        `${rate.long}, and still do over the last ${rate.short} (objective: ${percent(slo.target)} of ${slo.description}; ` +
        `budget ${percent(errorBudget(slo))} over ${slos.window}). At this rate ${percent(spentPerLongWindow)} of the ` +
        `budget goes every ${rate.long}, and all of it within ${humanDuration(windowSeconds / rate.factor)}.`,
      runbook_url: alertRunbookUrl(BURN_ALERT),
      dashboard: SLO_DASHBOARD,
    },
  };
}

/** Filled in from the external label of each Prometheus, as every hand-written alert's link is (runbooks/README.md). */
export function alertRunbookUrl(alert: string): string {
  return `{{ $externalLabels.runbook_base_url }}/${alert}.md`;
}

export function ruleGroups(slos: SloFile): RuleGroup[] {
  return [
    { name: GROUPS.ratios, interval: '30s', rules: ratioRules(slos) },
    // At the global evaluation interval: each evaluation reads a month of the few recorded series
    // above (one per env and objective), not of the raw histograms.
    { name: GROUPS.budget, rules: budgetRules(slos) },
    { name: GROUPS.alerts, rules: slos.objectives.flatMap((slo) => slos.burnRates.map((rate) => burnAlert(slos, slo, rate))) },
  ];
}
