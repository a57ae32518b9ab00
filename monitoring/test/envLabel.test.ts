import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { alertRuleName, alertRules, recordingRules } from './ruleFiles';

const PROMETHEUS_DIR = path.resolve(__dirname, '../prometheus');
const SHIPPED_CONFIGS = ['prometheus.yml', 'prometheus.compose.yml'];

interface ScrapeJob {
  job_name: string;
  relabel_configs?: Array<{ target_label?: string; replacement?: string; source_labels?: string[] }>;
}

function scrapeJobs(file: string): ScrapeJob[] {
  return (parse(fs.readFileSync(path.join(PROMETHEUS_DIR, file), 'utf8')) as { scrape_configs: ScrapeJob[] }).scrape_configs;
}

/** Every `sum|min|max|avg|count by (...)` of an expression, and every aggregation without `by`. */
function aggregations(expr: string): string[] {
  return [...expr.matchAll(/\b(sum|min|max|avg|count)\s*(by\s*\(([^)]*)\))?\s*\(/g)].map((match) => match[3] ?? '');
}

describe('the env label', () => {
  it.each(SHIPPED_CONFIGS)('is set by relabelling on every scrape job of %s, as a fixed value', (file) => {
    const jobs = scrapeJobs(file);
    expect(jobs.length).toBeGreaterThan(5);
    const without = jobs.filter((job) => {
      const rule = job.relabel_configs?.find((candidate) => candidate.target_label === 'env');
      return !rule || rule.source_labels !== undefined || !/^\w+$/.test(rule.replacement ?? '');
    });
    expect(without.map((job) => job.job_name)).toEqual([]);
  });

  it('is kept by every recording rule: each aggregation sums by env', () => {
    const dropping = recordingRules().flatMap((rule) =>
      aggregations(rule.expr)
        .filter((labels) => !labels.split(',').map((label) => label.trim()).includes('env'))
        .map(() => rule.record),
    );
    expect(recordingRules().length).toBeGreaterThan(20);
    expect([...new Set(dropping)]).toEqual([]);
  });

  it('is kept by every alert rule that aggregates', () => {
    const dropping = alertRules().filter((rule) =>
      aggregations(rule.expr).some((labels) => !labels.split(',').map((label) => label.trim()).includes('env')),
    );
    expect(dropping.map(alertRuleName)).toEqual([]);
  });
});
