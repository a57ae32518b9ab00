import { type Objective, type SloFile, errorBudget } from './schema';
import { BURN_ALERT } from './rules';
import { BAD_EVENTS_RECORD, EVENTS_RECORD, alertWindows, badRatioRecord, budgetRemainingRecord, percent, ratioRecord } from './windows';

/** Grafana links are static: panels point at the shipped runbooks, where alerts follow each Prometheus's runbook_base_url. */
const RUNBOOK_BASE = 'https://github.com/todobox/todobox/blob/main/runbooks/';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const ENV = 'env=~"$env"';

/** Shared with every other dashboard: the env and instance pickers and the release annotation. */
const TEMPLATING = {
  list: [
    {
      current: { selected: false, text: 'Prometheus', value: 'prometheus' },
      hide: 0,
      includeAll: false,
      label: 'Data source',
      multi: false,
      name: 'datasource',
      options: [],
      query: 'prometheus',
      refresh: 1,
      regex: '',
      skipUrlSync: false,
      type: 'datasource',
    },
    {
      current: { selected: false, text: 'production', value: 'production' },
      datasource: DATASOURCE,
      definition: 'label_values(up, env)',
      description: 'The deployment (its scrape jobs set the env label): one Prometheus can serve staging and production.',
      hide: 0,
      includeAll: false,
      label: 'Environment',
      multi: false,
      name: 'env',
      options: [],
      query: { qryType: 1, query: 'label_values(up, env)', refId: 'PrometheusVariableQueryEditor-VariableQuery' },
      refresh: 2,
      regex: '',
      skipUrlSync: false,
      sort: 1,
      type: 'query',
    },
    {
      allValue: '.*',
      current: { selected: true, text: ['All'], value: ['$__all'] },
      datasource: DATASOURCE,
      definition: 'label_values(up{job="todobox", env=~"$env"}, instance)',
      hide: 0,
      includeAll: true,
      label: 'Instance',
      multi: true,
      name: 'instance',
      options: [],
      query: { qryType: 1, query: 'label_values(up{job="todobox", env=~"$env"}, instance)', refId: 'PrometheusVariableQueryEditor-VariableQuery' },
      refresh: 2,
      regex: '',
      skipUrlSync: false,
      sort: 1,
      type: 'query',
    },
  ],
};

export const DEPLOY_ANNOTATION_EXPR =
  'count by (version) (todobox_build_info{job="todobox", env=~"$env"}) unless count by (version) (max_over_time(todobox_build_info{job="todobox", env=~"$env"}[1h] offset 2m))';

const ANNOTATIONS = {
  list: [
    {
      builtIn: 1,
      datasource: { type: 'grafana', uid: '-- Grafana --' },
      enable: true,
      hide: true,
      iconColor: 'rgba(0, 211, 255, 1)',
      name: 'Annotations & Alerts',
      type: 'dashboard',
    },
    {
      datasource: DATASOURCE,
      enable: true,
      hide: false,
      iconColor: 'rgba(255, 152, 48, 1)',
      name: 'Deploys',
      expr: DEPLOY_ANNOTATION_EXPR,
      step: '1m',
      titleFormat: 'TodoBox {{version}}',
      textFormat: 'A new release started: todobox_build_info{version="{{version}}"} appeared',
      useValueForTime: false,
    },
  ],
};

const LINKS = [
  { asDropdown: true, icon: 'external link', includeVars: true, keepTime: true, tags: ['todobox'], targetBlank: false, title: 'TodoBox dashboards', tooltip: '', type: 'dashboards', url: '' },
  {
    asDropdown: false,
    icon: 'doc',
    includeVars: false,
    keepTime: false,
    tags: [],
    targetBlank: true,
    title: 'Runbooks',
    tooltip: 'What each alert means and what to do',
    type: 'link',
    url: `${RUNBOOK_BASE}README.md`,
  },
];

function runbookLink(alert: string) {
  return { title: `Runbook: ${alert}`, url: `${RUNBOOK_BASE}${alert}.md`, targetBlank: true };
}

function target(refId: string, expr: string, legendFormat: string) {
  return { datasource: DATASOURCE, editorMode: 'code', expr, legendFormat, refId, range: true };
}

interface Placement {
  id: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function achievedPanel(slos: SloFile, slo: Objective, at: Placement) {
  return {
    id: at.id,
    gridPos: { h: at.h, w: at.w, x: at.x, y: at.y },
    type: 'stat',
    title: `${slo.title} over ${slos.window}`,
    description: `Share of ${slo.description}, over the last ${slos.window} (objective ${percent(slo.target)}). Read from the recorded ${slos.window} ratio.`,
    datasource: DATASOURCE,
    fieldConfig: {
      defaults: {
        color: { mode: 'thresholds' },
        mappings: [],
        thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: slo.target }] },
        unit: 'percentunit',
        decimals: 3,
      },
      overrides: [],
    },
    options: { colorMode: 'value', graphMode: 'none', justifyMode: 'auto', orientation: 'auto', reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, textMode: 'auto' },
    targets: [target('A', `1 - ${badRatioRecord(slos)}{${ENV}, slo="${slo.name}"}`, '{{env}}')],
  };
}

function budgetPanel(slos: SloFile, slo: Objective, at: Placement) {
  return {
    id: at.id,
    gridPos: { h: at.h, w: at.w, x: at.x, y: at.y },
    type: 'gauge',
    title: `${slo.title} error budget remaining`,
    description: `Share of the ${slos.window} ${slo.title.toLowerCase()} error budget (${percent(errorBudget(slo))} of events may be bad) still unspent. Below zero the objective is missed: docs/slo.md says what happens then.`,
    datasource: DATASOURCE,
    links: [runbookLink(BURN_ALERT)],
    fieldConfig: {
      defaults: {
        color: { mode: 'thresholds' },
        mappings: [],
        thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'orange', value: 0.25 }, { color: 'green', value: 0.5 }] },
        unit: 'percentunit',
        min: 0,
        max: 1,
        decimals: 1,
      },
      overrides: [],
    },
    options: {
      minVizHeight: 75,
      minVizWidth: 75,
      orientation: 'auto',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      showThresholdLabels: false,
      showThresholdMarkers: true,
      sizing: 'auto',
    },
    targets: [target('A', `${budgetRemainingRecord(slos)}{${ENV}, slo="${slo.name}"}`, '{{env}}')],
  };
}

function timeseriesDefaults(unit: string, thresholds: number[]) {
  return {
    color: { mode: 'palette-classic' },
    custom: {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: 0,
      showPoints: 'never',
      spanNulls: false,
      thresholdsStyle: { mode: thresholds.length > 0 ? 'line' : 'off' },
    },
    mappings: [],
    thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, ...thresholds.map((value) => ({ color: 'red', value }))] },
    unit,
  };
}

function burnRatePanel(slos: SloFile, slo: Objective, at: Placement) {
  const factors = [...new Set(slos.burnRates.map((rate) => rate.factor))].sort((a, b) => a - b);
  return {
    id: at.id,
    gridPos: { h: at.h, w: at.w, x: at.x, y: at.y },
    type: 'timeseries',
    title: `${slo.title} burn rate`,
    description: `How many times faster than the ${slos.window} budget allows the ${slo.title.toLowerCase()} budget burns, per window. ${BURN_ALERT} fires when a long window and its short one are both above their line (${slos.burnRates.map((rate) => `${rate.factor}x over ${rate.long} and ${rate.short}`).join('; ')}).`,
    datasource: DATASOURCE,
    links: [runbookLink(BURN_ALERT)],
    fieldConfig: { defaults: timeseriesDefaults('short', factors), overrides: [] },
    options: { legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: alertWindows(slos).map((window, index) =>
      target(REF_IDS[index], `${ratioRecord(slo, window)}{${ENV}} / ${errorBudget(slo)}`, `${window}`),
    ),
  };
}

function timeseriesPanel(at: Placement, title: string, description: string, unit: string, targets: ReturnType<typeof target>[], alerts: string[], thresholds: number[] = []) {
  return {
    id: at.id,
    gridPos: { h: at.h, w: at.w, x: at.x, y: at.y },
    type: 'timeseries',
    title,
    description,
    datasource: DATASOURCE,
    links: alerts.map(runbookLink),
    fieldConfig: { defaults: timeseriesDefaults(unit, thresholds), overrides: [] },
    options: { legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets,
  };
}

/** Panels of the recorded request rates and percentiles the other alerts read, under the objectives. */
function recordedPanels(nextId: number, y: number) {
  return [
    timeseriesPanel(
      { id: nextId, x: 0, y, w: 12, h: 8 },
      'Requests and 5xx (recorded)',
      'All requests and those answered with a 5xx, per second over 5 minutes: what HighErrorRate reads.',
      'reqps',
      [target('A', `todobox:http_requests:rate5m{${ENV}}`, 'requests'), target('B', `todobox:http_errors:rate5m{${ENV}}`, '5xx')],
      ['HighErrorRate'],
    ),
    timeseriesPanel(
      { id: nextId + 1, x: 12, y, w: 12, h: 8 },
      'Response time percentiles (recorded)',
      'p50, p95 and p99 over 5 minutes, against the 200 ms target and the 500 ms alert: what SlowResponses and LatencyTargetMissed read.',
      's',
      [
        target('A', `todobox:http_request_duration_seconds:p50_5m{${ENV}}`, 'p50'),
        target('B', `todobox:http_request_duration_seconds:p95_5m{${ENV}}`, 'p95'),
        target('C', `todobox:http_request_duration_seconds:p99_5m{${ENV}}`, 'p99'),
      ],
      ['SlowResponses', 'LatencyTargetMissed'],
      [0.2, 0.5],
    ),
    timeseriesPanel(
      { id: nextId + 2, x: 0, y: y + 8, w: 12, h: 8 },
      'p95 response time by route (recorded)',
      'p95 over 5 minutes per route template: which pages spend the latency budget.',
      's',
      [target('A', `todobox:http_request_duration_seconds:p95_5m_by_route{${ENV}}`, '{{route}}')],
      ['LatencyTargetMissed'],
      [0.2, 0.5],
    ),
    timeseriesPanel(
      { id: nextId + 3, x: 12, y: y + 8, w: 12, h: 8 },
      'Events and bad events by objective (recorded)',
      'What each objective counts, per second over 5 minutes: its events and the bad ones among them.',
      'ops',
      [target('A', `${EVENTS_RECORD}{${ENV}}`, '{{slo}} events'), target('B', `${BAD_EVENTS_RECORD}{${ENV}}`, '{{slo}} bad')],
      [],
    ),
  ];
}

/** One row per objective: the achieved share and the budget left over the window, and the burn rates. */
export function sloDashboard(slos: SloFile) {
  const rowHeight = 8;
  const objectivePanels = slos.objectives.flatMap((slo, index) => {
    const y = index * rowHeight;
    const id = index * 3 + 1;
    return [
      achievedPanel(slos, slo, { id, x: 0, y, w: 6, h: rowHeight }),
      budgetPanel(slos, slo, { id: id + 1, x: 6, y, w: 6, h: rowHeight }),
      burnRatePanel(slos, slo, { id: id + 2, x: 12, y, w: 12, h: rowHeight }),
    ];
  });
  return {
    annotations: ANNOTATIONS,
    description: 'Generated by npm run monitoring:generate: edit monitoring/slo/slos.yml, not this file. The objectives, their error budgets and burn rates (docs/slo.md).',
    editable: false,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: LINKS,
    panels: [...objectivePanels, ...recordedPanels(objectivePanels.length + 1, slos.objectives.length * rowHeight)],
    refresh: '1m',
    schemaVersion: 39,
    tags: ['todobox', 'slo'],
    templating: TEMPLATING,
    time: { from: 'now-24h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: 'TodoBox / SLOs',
    uid: 'todobox-slo',
    version: 1,
    weekStart: '',
  };
}
