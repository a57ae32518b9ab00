import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { loadSloFile } from '../slo/schema';
import { alertRules, recordingRules } from './ruleFiles';
import {
  type Dashboard,
  type DashboardPanel,
  deployAnnotation,
  loadDashboards,
  metricNames,
  panelQueries,
  substituteVariables,
} from './dashboards';

const CONTRACT_DASHBOARDS: Record<string, string> = {
  'todobox-service': 'TodoBox / Service (RED)',
  'todobox-resources': 'TodoBox / Resources (USE)',
  'todobox-database': 'TodoBox / Database',
  'todobox-security': 'TodoBox / Security',
  'todobox-slo': 'TodoBox / SLOs',
};

const APP_HISTOGRAMS = ['http_request_duration_seconds', 'nodejs_gc_duration_seconds', 'todobox_db_query_duration_seconds'];

/** Metrics the app itself exposes on /metrics (scrape job `todobox`). */
const APP_METRICS = new Set([
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_active_handles',
  'process_open_fds',
  'todobox_login_attempts_total',
  'todobox_unauthorized_requests_total',
  'todobox_db_pool_connections',
  'todobox_db_errors_total',
  'todobox_session_store_errors_total',
  'todobox_page_cache_bytes',
  'todobox_build_info',
  ...APP_HISTOGRAMS.flatMap((name) => [`${name}_bucket`, `${name}_sum`, `${name}_count`]),
]);

/** Written by `todobox backup`, scraped through node_exporter's textfile collector. */
const TEXTFILE_METRICS = new Set(['todobox_backup_last_success_timestamp_seconds']);

const RECORDING_RULES = new Set(recordingRules().map((rule) => rule.record));
const RUNBOOK_BASE = 'https://github.com/todobox/todobox/blob/main/runbooks/';
const RUNBOOK_DIR = path.resolve(__dirname, '../../runbooks');

const EXPORTER_METRIC = /^(?:node|mysql|redis|probe)_\w+$|^up$/;
/** Counted from nginx's access log by mtail (monitoring/mtail/todobox.mtail). */
const EDGE_METRICS = new Set(['todobox_edge_http_requests_total', 'todobox_edge_http_request_duration_seconds_bucket']);
const INSTANCE_QUERY = 'label_values(up{job="todobox", env=~"$env"}, instance)';
const ENV_QUERY = 'label_values(up, env)';
const GRAFANA_UNITS = new Set(['s', 'percentunit', 'reqps', 'bytes', 'ops', 'short']);

const loaded = loadDashboards();
const dashboards = loaded.map(({ dashboard }) => dashboard);
const queries = panelQueries(loaded);

function dashboardByUid(uid: string): Dashboard {
  const dashboard = dashboards.find((candidate) => candidate.uid === uid);
  if (!dashboard) throw new Error(`No dashboard with uid ${uid}`);
  return dashboard;
}

function panelByTitle(uid: string, title: string): DashboardPanel {
  const panel = dashboardByUid(uid).panels.find((candidate) => candidate.title === title);
  if (!panel) throw new Error(`No panel "${title}" on ${uid}`);
  return panel;
}

function thresholdValues(panel: DashboardPanel): Array<number | null> {
  return (panel.fieldConfig?.defaults?.thresholds?.steps ?? []).map((step) => step.value);
}

function thresholdLineStyle(panel: DashboardPanel): string | undefined {
  return panel.fieldConfig?.defaults?.custom?.thresholdsStyle?.mode;
}

/** Every `name{...}` or bare `name` occurrence of a metric in an expression, with its matchers. */
function selectorsOf(expr: string, metric: string): string[] {
  const occurrence = new RegExp(`(?<![\\w:])${metric}(?![\\w:])(\\{[^}]*\\})?`, 'g');
  return [...expr.matchAll(occurrence)].map((match) => match[1] ?? '');
}

describe('Grafana dashboards', () => {
  it('are exactly the contract dashboards, one file each', () => {
    const byUid = Object.fromEntries(dashboards.map((dashboard) => [dashboard.uid, dashboard.title]));
    expect(byUid).toEqual(CONTRACT_DASHBOARDS);
    expect(loaded).toHaveLength(Object.keys(CONTRACT_DASHBOARDS).length);
  });

  describe.each(loaded.map(({ file, dashboard }) => [file, dashboard] as const))('%s', (_file, dashboard) => {
    it('uses schema version 39 and the data source, env and instance variables', () => {
      expect(dashboard.schemaVersion).toBe(39);
      const variables = Object.fromEntries(dashboard.templating.list.map((variable) => [variable.name, variable]));
      expect(variables.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
      expect(variables.env).toMatchObject({ type: 'query', multi: false, includeAll: false, definition: ENV_QUERY, query: { query: ENV_QUERY } });
      const instance = variables.instance;
      expect(instance).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
      const instanceQuery = typeof instance.query === 'string' ? instance.query : instance.query?.query;
      expect(instanceQuery).toBe(INSTANCE_QUERY);
    });

    it('gives panels unique ids and places them inside the grid without overlap', () => {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      const taken = new Map<string, string | undefined>();
      const problems: string[] = [];
      for (const { gridPos, title } of dashboard.panels) {
        if (gridPos.x < 0 || gridPos.w <= 0 || gridPos.h <= 0 || gridPos.x + gridPos.w > 24) problems.push(`${title} leaves the grid`);
        for (let column = gridPos.x; column < gridPos.x + gridPos.w; column += 1) {
          for (let row = gridPos.y; row < gridPos.y + gridPos.h; row += 1) {
            const cell = `${column},${row}`;
            if (taken.has(cell)) problems.push(`${title} overlaps ${taken.get(cell)} at ${cell}`);
            taken.set(cell, title);
          }
        }
      }
      expect([...new Set(problems)]).toEqual([]);
    });

    it('gives every panel a title, a description, a unit, the data source variable and a query', () => {
      for (const panel of dashboard.panels) {
        const summary = {
          title: panel.title,
          hasDescription: (panel.description ?? '').trim().length > 0,
          unit: GRAFANA_UNITS.has(panel.fieldConfig?.defaults?.unit ?? '') ? 'known' : panel.fieldConfig?.defaults?.unit,
          datasource: panel.datasource?.uid,
          targetDatasources: [...new Set((panel.targets ?? []).map((target) => target.datasource?.uid))],
          hasQuery: (panel.targets ?? []).length > 0 && (panel.targets ?? []).every((target) => (target.expr ?? '').trim() !== ''),
        };
        expect(summary).toEqual({
          title: expect.stringMatching(/\S/),
          hasDescription: true,
          unit: 'known',
          datasource: '${datasource}',
          targetDatasources: ['${datasource}'],
          hasQuery: true,
        });
      }
    });
  });

  it('draws the 200 ms and 500 ms lines on the service latency panels', () => {
    const titles = ['Response time p50 / p95 / p99', 'Response time p50 by route', 'Response time p95 by route', 'Response time p99 by route'];
    for (const title of titles) {
      const panel = panelByTitle('todobox-service', title);
      expect({ title, values: thresholdValues(panel), style: thresholdLineStyle(panel) }).toEqual({
        title,
        values: expect.arrayContaining([0.2, 0.5]),
        style: 'line',
      });
    }
  });

  it('draws the 80 % host memory and 10 % free disk lines', () => {
    const memory = panelByTitle('todobox-resources', 'Host memory used');
    expect(thresholdValues(memory)).toContain(0.8);
    expect(thresholdLineStyle(memory)).toBe('line');
    const disk = panelByTitle('todobox-resources', 'Disk free');
    expect(thresholdValues(disk)).toContain(0.1);
    expect(thresholdLineStyle(disk)).toBe('line');
  });

  it('shows, for every objective of the SLO file, its burn rate in every alert window against the burn-rate lines, and its budget', () => {
    const slos = loadSloFile();
    const windows = [...new Set(slos.burnRates.flatMap((rate) => [rate.long, rate.short]))];
    for (const slo of slos.objectives) {
      const panel = panelByTitle('todobox-slo', `${slo.title} burn rate`);
      expect(thresholdValues(panel)).toEqual(expect.arrayContaining(slos.burnRates.map((rate) => rate.factor)));
      expect(thresholdLineStyle(panel)).not.toBe('off');
      const used = (panel.targets ?? []).flatMap((target) => metricNames(target.expr ?? ''));
      expect(used.sort()).toEqual(windows.map((window) => `todobox:${slo.record}:rate${window}`).sort());
      const budget = panelByTitle('todobox-slo', `${slo.title} error budget remaining`);
      expect(budget.type).toBe('gauge');
      expect(budget.targets?.map((target) => target.expr)).toEqual([`todobox:slo_error_budget_remaining:ratio${slos.window}{env=~"$env", slo="${slo.name}"}`]);
    }
  });

  it('reads the 30-day panels from recording rules, never from a month of raw samples', () => {
    const longRanges = queries.filter(({ rawExpr }) => /\[(?:[2-9]\d|\d{3,})d\]/.test(rawExpr)).map(({ dashboardUid, panelTitle }) => `${dashboardUid} / ${panelTitle}`);
    expect(longRanges).toEqual([]);
  });

  it('links each panel of an alert to its runbook, and every panel link to a runbook that exists', () => {
    const links = dashboards.flatMap((dashboard) => dashboard.panels.flatMap((panel) => (panel.links ?? []).map((link) => ({ dashboard: dashboard.uid, panel: panel.title, ...link }))));
    expect(links.length).toBeGreaterThan(20);
    const broken = links.filter((link) => !link.url.startsWith(RUNBOOK_BASE) || !fs.existsSync(path.join(RUNBOOK_DIR, link.url.slice(RUNBOOK_BASE.length))));
    expect(broken).toEqual([]);
    const linkedAlerts = new Set(links.map((link) => path.basename(link.url, '.md')));
    const dashboardAlerts = new Set(alertRules().filter((rule) => rule.labels.severity !== 'none').map((rule) => rule.alert));
    const unlinked = [...dashboardAlerts].filter((alert) => !linkedAlerts.has(alert));
    // Alerts about the monitoring itself and the public probe have no panel of their own.
    expect(unlinked.sort()).toEqual(
      ['AlertmanagerNotificationsFailing', 'BlackboxProbeFailed', 'BlackboxProbeSlow', 'ExporterDown', 'PrometheusRuleEvaluationFailures', 'RedisDown', 'TLSCertificateExpiring'].sort(),
    );
  });

  it('selects every metric by the env variable', () => {
    const unfiltered = queries.flatMap(({ dashboardUid, panelTitle, rawExpr, metrics }) =>
      metrics
        .flatMap((name) => selectorsOf(rawExpr, name))
        .filter((selector) => !selector.includes('env=~"$env"'))
        .map((selector) => `${dashboardUid} / ${panelTitle}: ${selector || '(no matchers)'}`),
    );
    expect(unfiltered).toEqual([]);
  });

  it('queries only contract metrics, contract recording rules and exporter metrics', () => {
    const unknown = queries.flatMap(({ dashboardUid, panelTitle, metrics }) =>
      metrics
        .filter((name) => !APP_METRICS.has(name) && !TEXTFILE_METRICS.has(name) && !RECORDING_RULES.has(name) && !EXPORTER_METRIC.test(name) && !EDGE_METRICS.has(name))
        .map((name) => `${dashboardUid} / ${panelTitle}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('uses every recording rule of the contract', () => {
    const used = new Set(queries.flatMap(({ metrics }) => metrics));
    expect([...RECORDING_RULES].filter((rule) => !used.has(rule))).toEqual([]);
  });

  it('selects app metrics by the todobox job and, outside the service-wide SLOs, by the instance variable', () => {
    const unfiltered = queries.flatMap(({ dashboardUid, panelTitle, rawExpr, metrics }) =>
      metrics
        .filter((name) => APP_METRICS.has(name))
        .flatMap((name) => selectorsOf(rawExpr, name))
        .filter((selector) => {
          const byJob = selector.includes('job="todobox"');
          const byInstance = selector.includes('instance=~"$instance"');
          return !byJob || (dashboardUid !== 'todobox-slo' && !byInstance);
        })
        .map((selector) => `${dashboardUid} / ${panelTitle}: ${selector || '(no matchers)'}`),
    );
    expect(unfiltered).toEqual([]);
  });

  it('marks every release on every dashboard (a todobox_build_info version first seen) and links to the runbooks', () => {
    for (const dashboard of dashboards) {
      const deploys = deployAnnotation(dashboard);
      expect({ uid: dashboard.uid, enabled: deploys?.enable, datasource: deploys?.datasource?.uid, title: deploys?.titleFormat }).toEqual({
        uid: dashboard.uid,
        enabled: true,
        datasource: '${datasource}',
        title: 'TodoBox {{version}}',
      });
      expect(metricNames(deploys?.expr ?? '')).toEqual(['todobox_build_info']);
      expect(dashboard.links?.find((link) => link.title === 'Runbooks')?.url).toBe('https://github.com/todobox/todobox/blob/main/runbooks/README.md');
    }
    expect(new Set(dashboards.map((dashboard) => deployAnnotation(dashboard)?.expr)).size).toBe(1);
  });

  it('leaves no Grafana variable in the queries prepared for Prometheus', () => {
    expect(queries.length).toBeGreaterThan(50);
    expect(queries.filter(({ expr }) => expr.includes('$')).map(({ expr }) => expr)).toEqual([]);
  });
});

describe('Dashboard query helpers', () => {
  it('substitutes the Grafana variables with values for a plain Prometheus', () => {
    expect(substituteVariables('rate(x{env=~"$env",instance=~"$instance"}[$__rate_interval]) + y{a=~"${instance}"}[$__range:$__interval]')).toBe(
      'rate(x{env=~".*",instance=~".*"}[1m]) + y{a=~".*"}[1h:30s]',
    );
    expect(() => substituteVariables('x{a="$unknown"}')).toThrow('$unknown');
  });

  it('finds metric names and ignores functions, keywords, label lists, strings and numbers', () => {
    expect(
      metricNames(
        '(sum by (le, route) (rate(a_total{job="x", s=~"5.."}[5m])) or vector(0)) / on (route) group_left b:rec:rate5m * 1e3 + up - node_x offset 1h',
      ),
    ).toEqual(['a_total', 'b:rec:rate5m', 'node_x', 'up']);
  });
});

const promtoolAvailable = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

describeWithService('promtool (Debian package prometheus)', promtoolAvailable, 'Dashboard queries as PromQL', () => {
  it('parses every panel query', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-dashboards-'));
    try {
      const rules = queries.map(({ expr }, index) => ({ record: `dashboard_query_${index}`, expr }));
      const file = path.join(dir, 'dashboard-queries.yml');
      fs.writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
      const result = spawnSync('promtool', ['check', 'rules', '--lint=none', file], { encoding: 'utf8' });
      expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: expect.any(String) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
