import fs from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { AppProcess, startAppProcess } from '../../app/test/helpers/appProcess';
import { findProgram, makeServerCertificate, PrivateDatabaseServer, privatePostgresAvailable, startPrivatePostgres } from '../../app/test/helpers/privateServers';
import { describeWithService } from '../../app/test/helpers/requiredService';
import {
  EXPORTER_PROGRAMS,
  startAlertmanager,
  startBlackboxExporter,
  startPostgresExporter,
  startPrometheusWith,
  type Daemon,
} from './monitoringStack';
import { prometheusApi, type PrometheusApi, type QueryResult } from './prometheusApi';
import { ALERT_RULES_FILE, RULE_FILES, alertRules } from './ruleFiles';

/**
 * The exporters and jobs beside the app's own: the public probe (blackbox_exporter with the shipped
 * modules, through prometheus.yml's own blackbox job and its relabelling), the PostgreSQL exporter
 * (through the shipped postgres job and its target file), and Prometheus and Alertmanager watching
 * themselves. Each alert's expression is evaluated on what the real programs expose, healthy and
 * then broken, so a wrong metric or label name in a rule shows here, not in production.
 */

const PROMETHEUS_CONFIG_FILE = path.resolve(__dirname, '../prometheus/prometheus.yml');
const WAIT_MS = 30_000;

interface ScrapeJob {
  job_name: string;
  static_configs?: Array<{ targets: string[] }>;
  file_sd_configs?: Array<{ files: string[] }>;
  relabel_configs?: Array<Record<string, unknown>>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function shippedJob(name: string): ScrapeJob {
  const config = parse(fs.readFileSync(PROMETHEUS_CONFIG_FILE, 'utf8')) as { scrape_configs: ScrapeJob[] };
  const job = config.scrape_configs.find((candidate) => candidate.job_name === name);
  if (!job) throw new Error(`prometheus.yml has no ${name} job`);
  return job;
}

function alertExpression(name: string, labels: Record<string, string> = {}): string {
  const rule = alertRules().find((candidate) => candidate.alert === name && Object.entries(labels).every(([key, value]) => candidate.labels[key] === value));
  if (!rule) throw new Error(`alerts.yml has no ${name} rule`);
  return rule.expr;
}

const available = EXPORTER_PROGRAMS.every((program) => findProgram(program) !== undefined) && privatePostgresAvailable();

describeWithService(`${EXPORTER_PROGRAMS.join(', ')} and PostgreSQL`, available, 'the probe, PostgreSQL, Prometheus and Alertmanager jobs against the real exporters', () => {
  let workDir: string;
  let app: AppProcess | undefined;
  let tlsSite: Server;
  let postgres: PrivateDatabaseServer | undefined;
  let postgresExporter: Daemon;
  const daemons: Daemon[] = [];
  let prom: PrometheusApi;
  let appProbeUrl: string;
  let tlsProbeUrl: string;

  /** Polls a query until `done` holds for its result, or the wait is over; answers the last result. */
  async function until(query: string, done: (result: QueryResult) => boolean): Promise<QueryResult> {
    const deadline = Date.now() + WAIT_MS;
    let result = await prom.instant(query);
    while (!done(result) && Date.now() < deadline) {
      await sleep(500);
      result = await prom.instant(query);
    }
    return result;
  }
  const instances = (result: QueryResult) => result.series.map((sample) => sample.metric.instance).sort();
  const values = (result: QueryResult) => Object.fromEntries(result.series.map((sample) => [sample.metric.instance, Number(sample.value?.[1])]));

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-exporters-'));
    const certificate = makeServerCertificate(fs.mkdtempSync(path.join(workDir, 'certificate-')));
    // A site behind TLS, as the public URL is: its certificate (from a CA of the test's own) expires in 2 days.
    tlsSite = createServer({ cert: fs.readFileSync(certificate.certFile), key: fs.readFileSync(certificate.keyFile) }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    tlsSite.listen(0, '127.0.0.1');
    await new Promise((resolve) => tlsSite.once('listening', resolve));
    tlsProbeUrl = `https://localhost:${(tlsSite.address() as AddressInfo).port}/healthz`;

    app = await startAppProcess();
    appProbeUrl = `${app.url}/healthz`;
    postgres = await startPrivatePostgres();
    postgresExporter = await startPostgresExporter(workDir, postgres);
    daemons.push(postgresExporter);
    const blackbox = await startBlackboxExporter(workDir, certificate.caFile);
    daemons.push(blackbox);
    // No notification gets through: the receivers point at a closed port.
    const closed = 'http://127.0.0.1:9/';
    const alertmanager = await startAlertmanager(workDir, {
      'pagerduty-routing-key': 'test-routing-key',
      'slack-webhook-url': closed,
      'slack-tickets-webhook-url': closed,
      'watchdog-url': closed,
    });
    daemons.push(alertmanager);

    const targetsDir = path.join(workDir, 'targets');
    fs.mkdirSync(targetsDir);
    fs.writeFileSync(path.join(targetsDir, 'postgres.yml'), JSON.stringify([{ targets: [postgresExporter.address] }]));
    const blackboxJob = shippedJob('blackbox');
    // The shipped job reads its URLs from targets/blackbox.yml; the test's are the app's and the TLS site's.
    const probeJob: ScrapeJob = {
      ...blackboxJob,
      file_sd_configs: undefined,
      static_configs: [{ targets: [appProbeUrl, tlsProbeUrl] }],
      relabel_configs: (blackboxJob.relabel_configs ?? []).map((rule) => (rule.target_label === '__address__' ? { ...rule, replacement: blackbox.address } : rule)),
    };
    // Alerts sent before Prometheus has found its Alertmanager are dropped; a short resend delay sends them again within seconds, not a minute.
    const prometheus = await startPrometheusWith(workDir, ['--rules.alert.resend-delay=2s'], (address) =>
      JSON.stringify({
        // postgres_exporter takes a second to give up on a database that is down: a 1 s timeout would fail the scrape itself.
        global: { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '1s' },
        rule_files: RULE_FILES,
        alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager.address] }] }] },
        scrape_configs: [
          { ...shippedJob('prometheus'), static_configs: [{ targets: [address] }] },
          { ...shippedJob('alertmanager'), static_configs: [{ targets: [alertmanager.address] }] },
          shippedJob('postgres'),
          probeJob,
        ],
      }),
    );
    daemons.push(prometheus);
    prom = prometheusApi(`http://${prometheus.address}`);
  }, 120_000);

  afterAll(async () => {
    for (const daemon of daemons.reverse()) await daemon.stop().catch(() => undefined);
    await app?.stop().catch(() => undefined);
    await postgres?.remove().catch(() => undefined);
    await new Promise((resolve) => tlsSite?.close(resolve));
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('all healthy: every target is up, the probes succeed, and no alert fires but the Watchdog and the expiring test certificate', async () => {
    const up = await until('up', (result) => result.series.length === 5 && result.series.every((sample) => sample.value?.[1] === '1'));
    expect(Object.fromEntries(up.series.map((sample) => [`${sample.metric.job} ${sample.metric.instance}`, sample.value?.[1]]))).toEqual({
      [`prometheus ${(await prom.instant('up{job="prometheus"}')).series[0]?.metric.instance}`]: '1',
      [`alertmanager ${daemons[2].address}`]: '1',
      [`postgres ${postgresExporter.address}`]: '1',
      [`blackbox ${appProbeUrl}`]: '1',
      [`blackbox ${tlsProbeUrl}`]: '1',
    });
    expect(values(await until('probe_success{job="blackbox"}', (result) => result.series.length === 2))).toEqual({ [appProbeUrl]: 1, [tlsProbeUrl]: 1 });
    expect((await until('pg_up{job="postgres"}', (result) => result.series.length === 1)).series.map((sample) => sample.value?.[1])).toEqual(['1']);

    expect((await prom.instant(alertExpression('BlackboxProbeFailed'))).series).toEqual([]);
    expect((await prom.instant(alertExpression('ExporterDown'))).series).toEqual([]);
    expect((await prom.instant(alertExpression('DatabaseConnectionErrors', { severity: 'critical' }))).series).toEqual([]);
    expect((await prom.instant(alertExpression('PrometheusRuleEvaluationFailures'))).series).toEqual([]);
    // The certificate of the TLS site expires in 2 days, well under the alert's 14.
    expect(instances(await until(alertExpression('TLSCertificateExpiring'), (result) => result.series.length > 0))).toEqual([tlsProbeUrl]);
    // The metrics and labels the meta alerts aggregate exist as named.
    const evaluations = await until('sum by (job, rule_group) (increase(prometheus_rule_evaluation_failures_total[5m]))', (result) => result.series.length > 0);
    expect(evaluations.series.map((sample) => sample.metric.rule_group)).toEqual(expect.arrayContaining([`${ALERT_RULES_FILE};todobox-meta`]));
  }, 90_000);

  it('the app stopped: its probe fails and BlackboxProbeFailed names it; the TLS site is still probed', async () => {
    await app?.stop();
    const failing = await until(alertExpression('BlackboxProbeFailed'), (result) => result.series.length > 0);
    expect(instances(failing)).toEqual([appProbeUrl]);
    expect(values(await prom.instant('probe_success{job="blackbox"}'))).toEqual({ [appProbeUrl]: 0, [tlsProbeUrl]: 1 });
  }, 90_000);

  it('PostgreSQL stopped: pg_up falls to 0 and the critical DatabaseConnectionErrors names the postgres job; the exporter stopped: ExporterDown does', async () => {
    // A fast shutdown (SIGINT) ends the exporter's session; the default smart one would wait for it.
    await postgres?.stop('SIGINT');
    const down = await until(alertExpression('DatabaseConnectionErrors', { severity: 'critical' }), (result) => result.series.length > 0);
    expect(down.series.map((sample) => `${sample.metric.job} ${sample.metric.instance}`)).toEqual([`postgres ${postgresExporter.address}`]);

    await postgresExporter.stop();
    const exporterDown = await until(alertExpression('ExporterDown'), (result) => result.series.length > 0);
    expect(exporterDown.series.map((sample) => `${sample.metric.job} ${sample.metric.instance}`)).toEqual([`postgres ${postgresExporter.address}`]);
  }, 90_000);

  it('sends the Watchdog from Prometheus to Alertmanager, and to its receiver; the failures AlertmanagerNotificationsFailing counts exist by integration', async () => {
    const firing = await until('ALERTS{alertname="Watchdog",alertstate="firing"}', (result) => result.series.length === 1);
    expect(firing.series).toHaveLength(1);
    const alertmanager = daemons[2];
    const deadline = Date.now() + WAIT_MS;
    let received: Array<{ labels: Record<string, string>; receivers: Array<{ name: string }> }> = [];
    while (!received.some((alert) => alert.labels.alertname === 'Watchdog') && Date.now() < deadline) {
      await sleep(500);
      received = (await (await fetch(`http://${alertmanager.address}/api/v2/alerts`)).json()) as typeof received;
    }
    expect(received.find((alert) => alert.labels.alertname === 'Watchdog')?.receivers.map((receiver) => receiver.name)).toEqual(['watchdog']);
    const counted = await until('sum by (job, integration) (increase(alertmanager_notifications_failed_total[10m]))', (result) => result.series.length > 0);
    expect(counted.series.map((sample) => `${sample.metric.job} ${sample.metric.integration}`)).toEqual(expect.arrayContaining(['alertmanager slack', 'alertmanager pagerduty']));
  }, 60_000);
});
