import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const RULES_DIR = path.resolve(__dirname, '../prometheus/rules');
export const RECORDING_RULES_FILE = path.join(RULES_DIR, 'recording.yml');
/** Generated from monitoring/slo/slos.yml: the SLI ratios, error budgets and burn-rate alerts. */
export const SLO_RULES_FILE = path.join(RULES_DIR, 'slo.yml');
export const ALERT_RULES_FILE = path.join(RULES_DIR, 'alerts.yml');
/** Every rule file a shipped Prometheus loads, in the order prometheus.yml lists them. */
export const RULE_FILES = [RECORDING_RULES_FILE, SLO_RULES_FILE, ALERT_RULES_FILE];

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
}

interface RuleFile {
  groups: Array<{ name: string; rules: Array<Partial<RecordingRule & AlertRule>> }>;
}

function rulesOf(files: string[]): Array<Partial<RecordingRule & AlertRule>> {
  return files.flatMap((file) => (parse(fs.readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((group) => group.rules));
}

export function recordingRules(): RecordingRule[] {
  return rulesOf(RULE_FILES)
    .filter((rule): rule is RecordingRule => typeof rule.record === 'string')
    .map(({ record, expr }) => ({ record, expr: expr.trim() }));
}

export function alertRules(): AlertRule[] {
  return rulesOf(RULE_FILES)
    .filter((rule): rule is AlertRule => typeof rule.alert === 'string')
    .map((rule) => ({ alert: rule.alert, expr: rule.expr.trim(), for: rule.for, labels: rule.labels ?? {} }));
}

/** A readable name for one alert rule: several rules share a name and differ by their labels. */
export function alertRuleName(rule: AlertRule): string {
  const labels = Object.entries(rule.labels)
    .filter(([key]) => key !== 'job')
    .map(([key, value]) => `${key}=${value}`);
  return `${rule.alert}{${labels.join(',')}}`;
}
