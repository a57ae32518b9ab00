import fs from 'node:fs';
import path from 'node:path';

export const DASHBOARD_DIR = path.resolve(__dirname, '../grafana/dashboards');

export interface DashboardTarget {
  refId: string;
  expr?: string;
  instant?: boolean;
  datasource?: { type?: string; uid?: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { h: number; w: number; x: number; y: number };
  fieldConfig?: {
    defaults?: {
      unit?: string;
      thresholds?: { mode: string; steps: Array<{ color: string; value: number | null }> };
      custom?: { thresholdsStyle?: { mode: string } };
    };
  };
  targets?: DashboardTarget[];
  links?: Array<{ title: string; url: string }>;
}

export interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query: string };
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}

export interface DashboardAnnotation {
  name: string;
  expr?: string;
  enable?: boolean;
  datasource?: { type?: string; uid?: string };
  titleFormat?: string;
}

export interface DashboardLink {
  title: string;
  type: string;
  url?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
  annotations: { list: DashboardAnnotation[] };
  links?: DashboardLink[];
}

/** The annotation every dashboard marks releases with: a version of todobox_build_info first seen. */
export const DEPLOY_ANNOTATION = 'Deploys';

export function deployAnnotation(dashboard: Dashboard): DashboardAnnotation | undefined {
  return dashboard.annotations.list.find((annotation) => annotation.name === DEPLOY_ANNOTATION);
}

export interface LoadedDashboard {
  file: string;
  dashboard: Dashboard;
}

/** One panel query, ready to send to a plain Prometheus (no Grafana variables left in it). */
export interface PanelQuery {
  dashboardUid: string;
  panelTitle: string;
  refId: string;
  /** As written in the dashboard, with Grafana variables. */
  rawExpr: string;
  /** With the variables replaced by values a plain Prometheus accepts. */
  expr: string;
  /** Table panels ask for one value per series at the end of the range. */
  instant: boolean;
  metrics: string[];
}

/**
 * Values standing in for Grafana's variables: every env and instance, and the windows Grafana would pick
 * for a one-hour view with a 15 s scrape interval.
 */
const VARIABLE_VALUES: Record<string, string> = {
  env: '.*',
  instance: '.*',
  __rate_interval: '1m',
  __range: '1h',
  __interval: '30s',
};

function loadAllDashboards(dir: string): LoadedDashboard[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Dashboard }));
}

/** A dashboard of log queries: it picks a Loki data source, and its panels speak LogQL, not PromQL. */
export function isLogDashboard(dashboard: Dashboard): boolean {
  return dashboard.templating.list.some((variable) => variable.type === 'datasource' && variable.query === 'loki');
}

/** The metrics dashboards, whose panels query Prometheus. */
export function loadDashboards(dir = DASHBOARD_DIR): LoadedDashboard[] {
  return loadAllDashboards(dir).filter(({ dashboard }) => !isLogDashboard(dashboard));
}

/** The log dashboards, whose panels query Loki (monitoring/test/logPipeline/ checks them). */
export function loadLogDashboards(dir = DASHBOARD_DIR): LoadedDashboard[] {
  return loadAllDashboards(dir).filter(({ dashboard }) => isLogDashboard(dashboard));
}

/** Replaces `$name` and `${name}` for the variables a panel query may use; fails on any other. */
export function substituteVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    const value = VARIABLE_VALUES[name];
    if (value === undefined) throw new Error(`Unknown Grafana variable ${match} in: ${expr}`);
    return value;
  });
}

const LABEL_LIST_KEYWORDS = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * Metric names a PromQL expression selects: identifiers left once strings, label matchers, range
 * windows and label lists are removed, and that are neither function calls nor keywords.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(LABEL_LIST_KEYWORDS, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    const name = match[1];
    if (!PROMQL_WORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names].sort();
}

export function panelQueries(dashboards = loadDashboards()): PanelQuery[] {
  return dashboards.flatMap(({ dashboard }) =>
    dashboard.panels.flatMap((panel) =>
      (panel.targets ?? [])
        .filter((target): target is DashboardTarget & { expr: string } => typeof target.expr === 'string')
        .map((target) => ({
          dashboardUid: dashboard.uid,
          panelTitle: panel.title ?? `panel ${panel.id}`,
          refId: target.refId,
          rawExpr: target.expr,
          expr: substituteVariables(target.expr),
          instant: target.instant === true,
          metrics: metricNames(target.expr),
        })),
    ),
  );
}
