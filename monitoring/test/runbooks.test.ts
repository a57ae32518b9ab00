import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { buildProgram } from '../../app/src/cli/program';
import { backupMetricsText } from '../../app/src/cli/backup/backupMetrics';
import { createMetrics } from '../../app/src/observability/metrics';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { loadDashboards, metricNames } from './dashboards';

const ROOT = path.resolve(__dirname, '../..');
const RUNBOOK_DIR = path.join(ROOT, 'runbooks');
const RUNBOOK_URL_PREFIX = 'https://github.com/todobox/todobox/blob/main/';
const REQUIRED_SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'];
/** Pages whose commands and queries an operator copies: every runbook and the logging reference. */
const OPERATOR_PAGES = [
  ...fs
    .readdirSync(RUNBOOK_DIR)
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(RUNBOOK_DIR, name)),
  path.join(ROOT, 'docs/logging.md'),
];
const EXPORTER_METRIC = /^(?:node|mysql|pg|redis|probe|prometheus|alertmanager)_\w+$|^up$/;

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rulesOf(file: string): Rule[] {
  const parsed = parse(fs.readFileSync(path.join(ROOT, 'monitoring/prometheus/rules', file), 'utf8')) as { groups: { rules: Rule[] }[] };
  return parsed.groups.flatMap((group) => group.rules);
}

const alertRules = rulesOf('alerts.yml').filter((rule) => rule.alert !== undefined);
const alertNames = [...new Set(alertRules.map((rule) => rule.alert as string))];

function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

function relative(file: string): string {
  return path.relative(ROOT, file);
}

function runbookPath(rule: Rule): string {
  const url = rule.annotations?.runbook_url ?? '';
  if (!url.startsWith(RUNBOOK_URL_PREFIX)) throw new Error(`${rule.alert}: runbook_url ${url} is not under ${RUNBOOK_URL_PREFIX}`);
  return path.join(ROOT, url.slice(RUNBOOK_URL_PREFIX.length));
}

/** The body of each `## Heading` section, keyed by the heading. */
function sections(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  const parts = markdown.split(/^## +/m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const heading = (newline === -1 ? part : part.slice(0, newline)).trim();
    found.set(heading, newline === -1 ? '' : part.slice(newline + 1));
  }
  return found;
}

function isPlaceholder(body: string): boolean {
  return /^(?:todo|tbd|fixme)?[.:!]*$/i.test(body.trim());
}

function fencedBlocks(markdown: string, language: string): string[] {
  const fence = new RegExp('^[ \\t]*```' + language + '[ \\t]*\\n([\\s\\S]*?)^[ \\t]*```', 'gm');
  return [...markdown.matchAll(fence)].map((match) => match[1]);
}

function runbookQueries(): { file: string; query: string }[] {
  return OPERATOR_PAGES.flatMap((file) => fencedBlocks(read(file), 'promql').map((query) => ({ file: relative(file), query })));
}

function normalized(expr: string): string {
  return expr.replace(/\s+/g, ' ').trim();
}

describe('alert runbooks', () => {
  it('reads every alert of alerts.yml', () => {
    expect(alertNames.length).toBeGreaterThanOrEqual(11);
  });

  it.each(alertNames)('%s has a runbook at its runbook_url with Meaning, Impact, Diagnosis and Mitigation filled in', (name) => {
    for (const rule of alertRules.filter((candidate) => candidate.alert === name)) {
      const file = runbookPath(rule);
      expect({ name, file: relative(file), exists: fs.existsSync(file) }).toEqual({ name, file: `runbooks/${name}.md`, exists: true });
      const found = sections(read(file));
      for (const heading of REQUIRED_SECTIONS) {
        const body = found.get(heading);
        expect({ name, heading, present: body !== undefined }).toEqual({ name, heading, present: true });
        expect({ name, heading, filled: !isPlaceholder(body ?? '') }).toEqual({ name, heading, filled: true });
      }
    }
  });

  it.each(alertNames)('%s: the Diagnosis copies every rule expression and opens the alert\'s dashboard', (name) => {
    for (const rule of alertRules.filter((candidate) => candidate.alert === name)) {
      const diagnosis = sections(read(runbookPath(rule))).get('Diagnosis') ?? '';
      const queries = fencedBlocks(diagnosis, 'promql').map(normalized);
      expect({ name, expr: normalized(rule.expr), copied: queries.includes(normalized(rule.expr)) }).toEqual({
        name,
        expr: normalized(rule.expr),
        copied: true,
      });
      expect({ name, dashboard: rule.annotations?.dashboard, opened: diagnosis.includes(`\`${rule.annotations?.dashboard}\``) }).toEqual({
        name,
        dashboard: rule.annotations?.dashboard,
        opened: true,
      });
    }
  });

  it('lists every alert with each of its severities in the index', () => {
    const index = read(path.join(RUNBOOK_DIR, 'README.md'));
    const rows = index.split('\n').filter((line) => line.startsWith('|'));
    const missing = alertRules
      .map((rule) => ({ name: rule.alert as string, severity: rule.labels?.severity ?? '' }))
      .filter(({ name, severity }) => !rows.some((row) => row.startsWith(`| ${name} `) && row.includes(`| ${severity} |`)))
      .map(({ name, severity }) => `${name} (${severity})`);
    expect(missing).toEqual([]);
  });

  it('has the operations pages', () => {
    for (const page of ['README.md', 'backup.md', 'restore.md', 'upgrade.md', 'troubleshooting.md', 'maintenance.md']) {
      expect({ page, exists: fs.existsSync(path.join(RUNBOOK_DIR, page)) }).toEqual({ page, exists: true });
    }
  });
});

describe('what the runbooks point at exists', () => {
  const dashboards = loadDashboards().map(({ dashboard }) => dashboard);

  it('links only to dashboards that exist, by uid', () => {
    const uids = new Set(dashboards.map((dashboard) => dashboard.uid));
    const links = OPERATOR_PAGES.flatMap((file) => [...read(file).matchAll(/\/d\/([\w-]+)/g)].map((match) => ({ file: relative(file), uid: match[1] })));
    expect(links.length).toBeGreaterThan(20);
    expect(links.filter(({ uid }) => !uids.has(uid))).toEqual([]);
  });

  it('names only dashboard panels that exist (in the runbooks, bold text outside the index is a panel title)', () => {
    const titles = new Set(dashboards.flatMap((dashboard) => dashboard.panels.map((panel) => panel.title)));
    const runbooks = OPERATOR_PAGES.filter((file) => path.dirname(file) === RUNBOOK_DIR && path.basename(file) !== 'README.md');
    const named = runbooks.flatMap((file) =>
      [...read(file).matchAll(/\*\*([^*]+)\*\*/g)].map((match) => ({ file: relative(file), panel: match[1].replace(/\s+/g, ' ') })),
    );
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter(({ panel }) => !titles.has(panel))).toEqual([]);
  });

  it('links only to pages that exist', () => {
    const broken = OPERATOR_PAGES.flatMap((file) =>
      [...read(file).matchAll(/\]\(([^)#\s]+\.md)\)/g)]
        .map((match) => match[1])
        .filter((target) => !fs.existsSync(path.resolve(path.dirname(file), target)))
        .map((target) => `${relative(file)} -> ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it('runs only commands and options the todobox CLI has', () => {
    const commands = new Map(buildProgram().commands.map((command) => [command.name(), command]));
    const uses = OPERATOR_PAGES.flatMap((file) =>
      read(file)
        .split('\n')
        .flatMap((line) => [...line.matchAll(/node bin\/todobox\.js +([^\s'`|)]+)([^'`|)]*)/g)])
        .filter((match) => !match[1].startsWith('-'))
        .map((match) => ({ file: relative(file), command: match[1], options: match[2].match(/--[a-z][\w-]*/g) ?? [] })),
    );
    expect(new Set(uses.map(({ command }) => command))).toEqual(
      new Set(['backup', 'backup:verify', 'restore', 'db:migrate', 'db:status', 'preflight', 'user:list', 'user:delete', 'secret:generate', 'db:bootstrap', 'user:logout']),
    );
    const unknown = uses.flatMap(({ file, command, options }) => {
      const known = commands.get(command);
      if (!known) return [`${file}: ${command}`];
      const longOptions = new Set(known.options.map((option) => option.long));
      return options.filter((option) => !longOptions.has(option)).map((option) => `${file}: ${command} ${option}`);
    });
    expect(unknown).toEqual([]);
  });

  it('queries only metrics the app, the backup, the recording rules or the exporters provide', async () => {
    const metrics = createMetrics();
    const families = await metrics.registry.getMetricsAsJSON();
    const appMetrics = new Set(
      families.flatMap(({ name, type }) => (String(type) === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])),
    );
    const textfileMetrics = new Set(metricNames(backupMetricsText(new Date(), 1).replace(/^#.*$/gm, '').replace(/ \d+$/gm, '')));
    const recorded = new Set(rulesOf('recording.yml').map((rule) => rule.record as string));
    const queries = runbookQueries();
    expect(queries.length).toBeGreaterThan(40);
    const unknown = queries.flatMap(({ file, query }) =>
      metricNames(query)
        .filter((name) => !appMetrics.has(name) && !textfileMetrics.has(name) && !recorded.has(name) && !EXPORTER_METRIC.test(name))
        .map((name) => `${file}: ${name}`),
    );
    expect(textfileMetrics.has('todobox_backup_last_success_timestamp_seconds')).toBe(true);
    expect(unknown).toEqual([]);
  });
});

const promtoolAvailable = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

describeWithService('promtool (Debian package prometheus)', promtoolAvailable, 'runbook queries as PromQL', () => {
  it('parses every PromQL query of the runbooks', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-runbooks-'));
    try {
      const rules = runbookQueries().map(({ query }, index) => ({ record: `runbook_query_${index}`, expr: query }));
      const file = path.join(dir, 'runbook-queries.yml');
      fs.writeFileSync(file, stringify({ groups: [{ name: 'runbook-queries', rules }] }));
      const result = spawnSync('promtool', ['check', 'rules', '--lint=none', file], { encoding: 'utf8' });
      expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
