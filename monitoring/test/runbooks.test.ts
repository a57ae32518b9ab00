import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { buildProgram } from '../../app/src/cli/program';
import { backupMetricsText } from '../../app/src/cli/backup/backupMetrics';
import { createMetrics } from '../../app/src/observability/metrics';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { loadDashboards, loadLogDashboards, metricNames } from './dashboards';
import { fencedBlocks, shellBlocks, shellMark } from './runbooks/markdownBlocks';

const ROOT = path.resolve(__dirname, '../..');
const RUNBOOK_DIR = path.join(ROOT, 'runbooks');
const PROMETHEUS_DIR = path.join(ROOT, 'monitoring/prometheus');
/** Where the shipped configs point runbook_url: this repository's runbooks/ on GitHub. */
const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/todobox/todobox/blob/main/runbooks';
const RUNBOOK_BASE_TEMPLATE = '{{ $externalLabels.runbook_base_url }}';
/** The per-path variants an alert runbook gives, unless it says its steps are the same on every path. */
const PATH_SECTIONS = ['On AWS', 'On Docker (compose and infra/docker)'];
const SAME_ON_EVERY_PATH = /^Same on every path\b/m;
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

/** Every rule of the shipped rule files: the hand-written ones and those generated from the SLO file. */
function allRules(): Rule[] {
  return ['recording.yml', 'slo.yml', 'alerts.yml'].flatMap((file) => {
    const parsed = parse(fs.readFileSync(path.join(ROOT, 'monitoring/prometheus/rules', file), 'utf8')) as { groups: { rules: Rule[] }[] };
    return parsed.groups.flatMap((group) => group.rules);
  });
}

const alertRules = allRules().filter((rule) => rule.alert !== undefined);
const alertNames = [...new Set(alertRules.map((rule) => rule.alert as string))];

function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

function relative(file: string): string {
  return path.relative(ROOT, file);
}

/** The runbook file an alert links to, when its Prometheus runs with the shipped base. */
function runbookPath(rule: Rule): string {
  const url = (rule.annotations?.runbook_url ?? '').replace(RUNBOOK_BASE_TEMPLATE, DEFAULT_RUNBOOK_BASE_URL);
  if (!url.startsWith(`${DEFAULT_RUNBOOK_BASE_URL}/`)) throw new Error(`${rule.alert}: runbook_url ${url} is not under ${DEFAULT_RUNBOOK_BASE_URL}/`);
  return path.join(RUNBOOK_DIR, url.slice(DEFAULT_RUNBOOK_BASE_URL.length + 1));
}

/** Every Prometheus configuration shipped beside the rules (one per deployment path). */
function prometheusConfigs(): string[] {
  return fs
    .readdirSync(PROMETHEUS_DIR)
    .filter((name) => /^prometheus.*\.ya?ml$/.test(name))
    .sort();
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

/** The `todobox` subcommands a shell block runs, however it reaches the CLI (a checkout, npx, a container). */
function todoboxSubcommands(block: string): string[] {
  const invocation = /(?:\bnode +(?:\/app\/)?bin\/todobox\.js|\bnpx +todobox|(?:^|[;&|(]|\bexec)[ \t]*todobox)[ \t]+([a-z][\w:-]*)/gm;
  return [...block.matchAll(invocation)].map((match) => match[1]);
}

/** The npm scripts a shell block runs (`npm run x`, and the `npm start`/`npm test` shorthands). */
function npmScripts(block: string): string[] {
  return [...block.matchAll(/\bnpm +(?:run(?:-script)? +([\w:.-]+)|(start|test)\b)/g)].map((match) => match[1] ?? match[2]);
}

function runbookQueries(): { file: string; query: string }[] {
  return OPERATOR_PAGES.flatMap((file) => fencedBlocks(read(file), 'promql').map(({ body: query }) => ({ file: relative(file), query })));
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
      const queries = fencedBlocks(diagnosis, 'promql').map(({ body }) => normalized(body));
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

  it.each(alertNames)('%s gives its AWS and Docker steps, or says its steps are the same on every path', (name) => {
    const markdown = read(path.join(RUNBOOK_DIR, `${name}.md`));
    const found = sections(markdown);
    const variants = PATH_SECTIONS.map((heading) => ({ heading, filled: found.has(heading) && !isPlaceholder(found.get(heading) ?? '') }));
    const same = SAME_ON_EVERY_PATH.test(markdown);
    expect({ name, complete: same || variants.every(({ filled }) => filled), variants, same }).toEqual({
      name,
      complete: true,
      variants,
      same,
    });
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

describe('the runbook links of the alerts', () => {
  it('builds every templated runbook_url from the runbook_base_url external label', () => {
    const templated = alertRules.filter((rule) => (rule.annotations?.runbook_url ?? '').includes('{{'));
    expect(templated.length).toBeGreaterThan(20);
    const other = templated.filter((rule) => rule.annotations?.runbook_url !== `${RUNBOOK_BASE_TEMPLATE}/${rule.alert}.md`).map((rule) => rule.alert);
    expect(other).toEqual([]);
  });

  it('sets runbook_base_url, to the shipped base, in every Prometheus configuration', () => {
    const configs = prometheusConfigs();
    expect(configs).toEqual(expect.arrayContaining(['prometheus.compose.yml', 'prometheus.yml']));
    const bases = configs.map((name) => {
      const config = parse(read(path.join(PROMETHEUS_DIR, name))) as { global?: { external_labels?: Record<string, string> } };
      return { name, base: config.global?.external_labels?.runbook_base_url };
    });
    expect(bases).toEqual(configs.map((name) => ({ name, base: DEFAULT_RUNBOOK_BASE_URL })));
  });
});

describe('what the runbooks point at exists', () => {
  const dashboards = [...loadDashboards(), ...loadLogDashboards()].map(({ dashboard }) => dashboard);

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

  it('runs, in its shell blocks, only todobox subcommands the CLI registers and npm scripts package.json has', () => {
    const subcommands = new Set(buildProgram().commands.map((command) => command.name()));
    const scripts = new Set(Object.keys((JSON.parse(read(path.join(ROOT, 'package.json'))) as { scripts: Record<string, string> }).scripts));
    const blocks = OPERATOR_PAGES.flatMap((file) => shellBlocks(read(file)).map(({ body: block }) => ({ file: relative(file), block })));
    const used = blocks.flatMap(({ file, block }) => [
      ...todoboxSubcommands(block).map((name) => ({ file, kind: 'todobox', name })),
      ...npmScripts(block).map((name) => ({ file, kind: 'npm', name })),
    ]);
    expect(used.filter(({ kind }) => kind === 'todobox').length).toBeGreaterThan(10);
    expect(used.filter(({ kind }) => kind === 'npm').length).toBeGreaterThan(3);
    const unknown = used.filter(({ kind, name }) => !(kind === 'todobox' ? subcommands : scripts).has(name)).map(({ file, kind, name }) => `${file}: ${kind} ${name}`);
    expect(unknown).toEqual([]);
  });

  it('marks every shell block of runbooks/ tested or production, and a production block says why or follows the README convention', () => {
    const pages = OPERATOR_PAGES.filter((file) => file.startsWith(RUNBOOK_DIR));
    const unmarked = pages.flatMap((file) =>
      shellBlocks(read(file))
        .filter((block) => shellMark(block) === undefined)
        .map((block) => `${relative(file)}:${block.line}: \`\`\`${[block.language, ...block.marks].join(' ')}`),
    );
    expect(unmarked).toEqual([]);
    expect(read(path.join(RUNBOOK_DIR, 'README.md'))).toMatch(/```bash tested/);
  });

  it('reads the mark and the reason from the info string, and the body without a list item\'s indentation', () => {
    const page = ['1. Step', '', '   ```bash production needs the AWS account', '   aws s3 ls', '   ```', '', '```bash', 'ls', '```', ''].join('\n');
    const blocks = shellBlocks(page);
    expect(blocks.map((block) => ({ mark: shellMark(block), marks: block.marks, body: block.body, line: block.line }))).toEqual([
      { mark: 'production', marks: ['production', 'needs', 'the', 'AWS', 'account'], body: 'aws s3 ls\n', line: 3 },
      { mark: undefined, marks: [], body: 'ls\n', line: 7 },
    ]);
  });

  it('recognises the ways a shell block reaches the CLI and npm, and nothing else', () => {
    const block = [
      "sudo -u todobox sh -c 'set -a && . /etc/todobox/todobox.env && exec node bin/todobox.js backup --output /x'",
      'docker compose exec app node bin/todobox.js user:list',
      'docker exec todobox-app node /app/bin/todobox.js db:status',
      'npx todobox secret:generate',
      'systemctl status todobox; journalctl -u todobox -n 5; ls /var/www/todobox',
      "sudo -u todobox sh -c 'npm ci && npm run build && npm ci --omit=dev' && npm test",
    ].join('\n');
    expect(todoboxSubcommands(block)).toEqual(['backup', 'user:list', 'db:status', 'secret:generate']);
    expect(npmScripts(block)).toEqual(['build', 'test']);
  });

  it('queries only metrics the app, the backup, the recording rules or the exporters provide', async () => {
    const metrics = createMetrics();
    const families = await metrics.registry.getMetricsAsJSON();
    const appMetrics = new Set(
      families.flatMap(({ name, type }) => (String(type) === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])),
    );
    const textfileMetrics = new Set(metricNames(backupMetricsText(new Date(), 1).replace(/^#.*$/gm, '').replace(/ \d+$/gm, '')));
    const recorded = new Set(allRules().flatMap((rule) => rule.record ?? []));
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
