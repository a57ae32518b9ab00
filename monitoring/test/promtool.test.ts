import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { loadSloFile } from '../slo/schema';

const root = path.resolve(__dirname, '../..');
const prometheusDir = path.join(root, 'monitoring/prometheus');
const alertmanagerDir = path.join(root, 'monitoring/alertmanager');
const METRICS_TOKEN_FILE = '/etc/prometheus/todobox-metrics-token';

const ALERTS = [
  'Watchdog',
  'ExporterDown',
  'PrometheusRuleEvaluationFailures',
  'AlertmanagerNotificationsFailing',
  'TodoBoxDown',
  'TodoBoxInstanceDown',
  'HighErrorRate',
  'SlowResponses',
  'LatencyTargetMissed',
  'ErrorBudgetBurn',
  'HighMemoryUsage',
  'DiskSpaceLow',
  'DiskWillFillIn24h',
  'EventLoopLag',
  'DatabaseConnectionErrors',
  'DatabasePoolSaturated',
  'RedisDown',
  'SessionStoreErrors',
  'UnauthorizedAccessAttempts',
  'BackupTooOld',
  'TLSCertificateExpiring',
  'BlackboxProbeFailed',
  'BlackboxProbeSlow',
];
/** The dead man's switch has no severity a person is paged or told with: it goes to its switch only. */
const SEVERITY_OF = (name: string) => (name === 'Watchdog' ? /^none$/ : /^(critical|warning|ticket)$/);
/** The SLO alerts still carry a literal link; every other alert builds its link from the runbook_base_url external label. */
const DASHBOARDS = ['todobox-service', 'todobox-resources', 'todobox-database', 'todobox-security', 'todobox-slo'];

interface AlertRule {
  alert?: string;
  record?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTestCase {
  alertname: string;
  exp_alerts?: unknown[];
}
interface RuleTestFile {
  tests: { name: string; alert_rule_test?: AlertTestCase[] }[];
}

function run(command: string, args: string[], cwd = root) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function toolsAvailable(): boolean {
  return ['promtool', 'amtool'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);
}

function yamlFiles(folder: string): string[] {
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith('.yml'))
    .sort();
}

/** The hand-written alerts and the burn-rate alerts generated from the SLO file. */
function alertRules(): AlertRule[] {
  return ['rules/alerts.yml', 'rules/slo.yml'].flatMap((name) => {
    const file = parse(fs.readFileSync(path.join(prometheusDir, name), 'utf8')) as { groups: { rules: AlertRule[] }[] };
    return file.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
  });
}

function ruleTestCases(): AlertTestCase[] {
  return yamlFiles(path.join(prometheusDir, 'tests')).flatMap((name) => {
    const file = parse(fs.readFileSync(path.join(prometheusDir, 'tests', name), 'utf8')) as RuleTestFile;
    return file.tests.flatMap((test) => test.alert_rule_test ?? []);
  });
}

describe('alert rules and their tests (static)', () => {
  it('defines every alert of the design, each with a severity, summary, description, runbook and dashboard', () => {
    const rules = alertRules();
    expect([...new Set(rules.map((rule) => rule.alert))].sort()).toEqual([...ALERTS].sort());
    for (const rule of rules) {
      const name = rule.alert as string;
      expect({ name, severity: rule.labels?.severity }).toEqual({ name, severity: expect.stringMatching(SEVERITY_OF(name)) });
      expect({ name, summary: rule.annotations?.summary?.trim() }).toEqual({ name, summary: expect.stringMatching(/\S/) });
      expect({ name, description: rule.annotations?.description?.trim() }).toEqual({ name, description: expect.stringMatching(/\S/) });
      expect({ name, runbook: rule.annotations?.runbook_url }).toEqual({
        name,
        runbook: `{{ $externalLabels.runbook_base_url }}/${name}.md`,
      });
      expect({ name, dashboard: DASHBOARDS.map((uid) => `/d/${uid}`).includes(rule.annotations?.dashboard ?? '') }).toEqual({
        name,
        dashboard: true,
      });
    }
  });

  it('has, for every alert, a test case where it fires and one where it stays silent (the Watchdog only fires)', () => {
    const cases = ruleTestCases();
    for (const name of ALERTS) {
      const own = cases.filter((testCase) => testCase.alertname === name);
      expect({ name, fires: own.some((testCase) => (testCase.exp_alerts ?? []).length > 0) }).toEqual({ name, fires: true });
      // The Watchdog is never silent: that is its point.
      expect({ name, silent: own.some((testCase) => (testCase.exp_alerts ?? []).length === 0) }).toEqual({ name, silent: name !== 'Watchdog' });
    }
  });

  it('gives ErrorBudgetBurn a firing case for each objective and burn rate of the SLO file', () => {
    const slos = loadSloFile();
    const fired = ruleTestCases()
      .filter((testCase) => testCase.alertname === 'ErrorBudgetBurn')
      .flatMap((testCase) => (testCase.exp_alerts ?? []) as { exp_labels: Record<string, string> }[])
      .map((alert) => `${alert.exp_labels.objective}/${alert.exp_labels.window}/${alert.exp_labels.severity}`);
    const expected = slos.objectives.flatMap((slo) => slos.burnRates.map((rate) => `${slo.name}/${rate.name}/${rate.severity}`));
    expect(expected).toContain('availability/fast/critical');
    expect([...new Set(fired)].sort()).toEqual(expected.sort());
  });
});

describe('Alertmanager configuration (static)', () => {
  const config = parse(fs.readFileSync(path.join(alertmanagerDir, 'alertmanager.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
    receivers: Record<string, unknown>[];
  };

  it('lets only the service-wide TodoBoxDown inhibit, the symptoms of the same environment and job and the public probes of the same environment', () => {
    const sources = config.inhibit_rules.map((inhibit) => inhibit.source_matchers.join(','));
    expect(sources.sort()).toEqual(['alertname="SlowResponses"', 'alertname="TodoBoxDown"', 'alertname="TodoBoxDown",reason!="no_target"']);
    const [ownJob, probes] = config.inhibit_rules.filter((inhibit) => inhibit.source_matchers.includes('alertname="TodoBoxDown"'));
    const targets = (rule: { target_matchers: string[] }) => (/^alertname=~"(.*)"$/.exec(rule.target_matchers[0] ?? '')?.[1] ?? '').split('|').sort();
    expect(ownJob.equal).toEqual(['env', 'job']);
    expect(targets(ownJob)).toEqual(
      ['TodoBoxInstanceDown', 'HighErrorRate', 'SlowResponses', 'LatencyTargetMissed', 'ErrorBudgetBurn', 'DatabaseConnectionErrors', 'DatabasePoolSaturated', 'SessionStoreErrors', 'EventLoopLag'].sort(),
    );
    expect(probes.equal).toEqual(['env']);
    expect(targets(probes)).toEqual(['BlackboxProbeFailed', 'BlackboxProbeSlow']);
  });

  it('reads every secret from a file, never inline', () => {
    const text = JSON.stringify(config);
    expect(text).not.toMatch(/"(routing_key|service_key|api_url|slack_api_url|credentials|bearer_token|password)"/);
    expect(config.global.slack_api_url_file).toMatch(/^\/etc\//);
  });

  it('puts the runbook link into every notification template', () => {
    const template = fs.readFileSync(path.join(alertmanagerDir, 'templates/todobox.tmpl'), 'utf8');
    expect(template).toContain('Runbook: {{ .Annotations.runbook_url }}');
    expect(fs.readFileSync(path.join(alertmanagerDir, 'alertmanager.yml'), 'utf8')).toContain('{{ template "todobox.text" . }}');
  });
});

describeWithService('promtool and amtool (apt packages prometheus, prometheus-alertmanager)', toolsAvailable(), 'Prometheus and Alertmanager tools', () => {
  let workDir: string;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-promtool-'));
  });
  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('promtool check config passes (on a copy whose metrics token file exists)', () => {
    // promtool insists that credentials_file exists; the production path exists only on the
    // Prometheus server, so the copy points at a token file of its own and is otherwise unchanged.
    const production = fs.readFileSync(path.join(prometheusDir, 'prometheus.yml'), 'utf8');
    expect(production).toContain(`credentials_file: ${METRICS_TOKEN_FILE}`);
    const copyDir = path.join(workDir, 'prometheus');
    fs.cpSync(prometheusDir, copyDir, { recursive: true });
    const tokenFile = path.join(workDir, 'todobox-metrics-token');
    fs.writeFileSync(tokenFile, 'check-config-placeholder\n');
    fs.writeFileSync(path.join(copyDir, 'prometheus.yml'), production.replaceAll(`credentials_file: ${METRICS_TOKEN_FILE}`, `credentials_file: ${tokenFile}`));

    const { status, output } = run('promtool', ['check', 'config', path.join(copyDir, 'prometheus.yml')]);
    expect(output).toContain('SUCCESS');
    expect(output).toMatch(/rules\/recording\.yml/);
    expect(output).toMatch(/rules\/slo\.yml/);
    expect(output).toMatch(/rules\/alerts\.yml/);
    expect(status).toBe(0);
  });

  it('promtool check rules passes for every rule file', () => {
    const files = yamlFiles(path.join(prometheusDir, 'rules')).map((name) => `rules/${name}`);
    expect(files).toEqual(['rules/alerts.yml', 'rules/recording.yml', 'rules/slo.yml']);
    const { status, output } = run('promtool', ['check', 'rules', ...files], prometheusDir);
    for (const file of files) expect(output).toContain(`Checking ${file}`);
    expect(output.match(/SUCCESS: \d+ rules found/g)).toHaveLength(files.length);
    expect(status).toBe(0);
  });

  it('promtool test rules passes every rule test file', () => {
    const files = yamlFiles(path.join(prometheusDir, 'tests')).map((name) => `tests/${name}`);
    expect(files.length).toBeGreaterThan(0);
    const { status, output } = run('promtool', ['test', 'rules', ...files], prometheusDir);
    for (const file of files) expect(output).toContain(`Unit Testing:  ${file}`);
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  }, 180_000);

  it('amtool check-config passes', () => {
    const { status, output } = run('amtool', ['check-config', path.join(alertmanagerDir, 'alertmanager.yml')]);
    expect(output).toContain('SUCCESS');
    expect(output).toMatch(/1 templates/);
    expect(status).toBe(0);
  });

  it.each([
    ['a critical alert pages', 'pager', ['severity=critical', 'alertname=TodoBoxDown', 'job=todobox']],
    ['a warning goes to chat', 'chat', ['severity=warning', 'alertname=HighMemoryUsage', 'job=node']],
    ['a ticket goes to the tickets channel', 'tickets', ['severity=ticket', 'alertname=BackupTooOld']],
    ['the Watchdog goes to the dead man\'s switch only', 'watchdog', ['severity=none', 'alertname=Watchdog']],
    ['failing notifications go to chat and the pager both', 'chat,pager', ['severity=critical', 'alertname=AlertmanagerNotificationsFailing', 'job=alertmanager']],
  ])('routing: %s', (_name, receiver, labels) => {
    const { status, output } = run('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${path.join(alertmanagerDir, 'alertmanager.yml')}`,
      `--verify.receivers=${receiver}`,
      ...labels,
    ]);
    expect(output.split('\n')[0].trim()).toBe(receiver);
    expect(status).toBe(0);
  });
});
