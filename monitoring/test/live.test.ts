import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withCore } from '../../app/test/helpers/core';
import { TODO_LISTS } from '../../app/src/todos/types';
import { AppProcess, freePort, startAppProcess } from '../../app/test/helpers/appProcess';
import { PrivateServer, privateMariaDbAvailable, privateRedisAvailable, startPrivateMariaDb, startPrivateRedis } from '../../app/test/helpers/privateServers';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { logInOverHttp } from '../../app/test/faults/steadyTraffic';
import { deployAnnotation, loadDashboards, PanelQuery, panelQueries, substituteVariables } from './dashboards';
import {
  Daemon,
  MONITORING_PROGRAMS,
  monitoringProgramsAvailable,
  startMysqldExporter,
  startNodeExporter,
  startPrometheus,
  startRedisExporter,
} from './monitoringStack';
import { hasData, PrometheusApi, prometheusApi, QueryResult } from './prometheusApi';
import { AlertRule, alertRuleName, alertRules, recordingRules } from './ruleFiles';

/**
 * The live check: the real app (a child process on a private MariaDB and Redis), node_exporter,
 * mysqld_exporter, redis_exporter and Prometheus with the repository's rule files, all on loopback.
 * Normal traffic first: every rule and panel query must evaluate, panels must show data, no alert on
 * the app's behaviour may be above its threshold (those measuring the machine's speed and fill are
 * left out there). Then faults, each of which must push its alert's expression over the threshold.
 *
 * Alert expressions are evaluated directly through /api/v1/query. Their `for` durations (minutes)
 * are not waited for: what `for` adds is covered by `promtool test rules`; here the point is that
 * the expressions see the real app's metrics cross the thresholds.
 */

const NORMAL_TRAFFIC_MS = 40_000;
/** 5xx answers keep coming at least this long while the database is down. */
const ERROR_BURST_MS = 20_000;
/** HighErrorRate reads recording rules evaluated every 30 s (their group's interval), hence the margin. */
const ERROR_DETECTION_LIMIT_MS = 55_000;
/**
 * UnauthorizedAccessAttempts needs more than 0.1 events/s over 5 minutes (over 30 events) and ten
 * times the last day's rate: 60 failed logins are twice the floor.
 */
const FAILED_LOGINS = 60;
const FAKE_ACCOUNTS = 6;
const LOGIN_DETECTION_LIMIT_MS = 20_000;
const BACKUP_AGE_SECONDS = 3_600;
const PAUSE_MS = 100;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Panel queries that may be empty under normal traffic, because they show an event that has not
 * happened yet, each re-checked for data after the fault that causes it:
 * - the recorded 5xx rate: it sums the 5xx series, and before the first server error there is no
 *   5xx series at all, so the recorded series is absent, not 0 (the SLO ratios fall back to 0);
 * - the 401/403 breakdowns: a status_code="401" series appears with the first refused request
 *   (the totals panel next to them has `or vector(0)` and is not on this list).
 */
const EVENT_DRIVEN_PANELS: Array<{ dashboard: string; panel: string; refId?: string; event: 'server errors' | 'failed logins' }> = [
  { dashboard: 'todobox-slo', panel: 'Requests and 5xx (recorded)', refId: 'B', event: 'server errors' },
  { dashboard: 'todobox-security', panel: '401 / 403 responses by status', event: 'failed logins' },
  { dashboard: 'todobox-security', panel: 'Routes answering 401 / 403', event: 'failed logins' },
];

/**
 * Alerts that measure this machine rather than the app's behaviour: how fast it answers (latency, on a
 * shared and possibly loaded machine) and how full it is (memory, disk). Under normal traffic their
 * expressions must evaluate, but may be above their thresholds; the latency ones are then driven over
 * them by a fault (a frozen database) that no machine is fast enough to hide.
 */
const MEASURES_THE_MACHINE = /duration_seconds|slow_ratio|node_memory|node_filesystem|eventloop_lag/;
/** The dead man's switch: firing whenever the pipeline works. */
const ALWAYS_FIRING = 'Watchdog';
/** Slow requests are sent in waves, each held up by the database frozen this long. */
const SLOW_WAVES = 4;
const SLOW_WAVE_REQUESTS = 100;
const FREEZE_MS = 1_500;
const LATENCY_DETECTION_LIMIT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const queryName = (query: PanelQuery) => `${query.dashboardUid} / ${query.panelTitle} / ${query.refId}`;

/**
 * The edge objective is counted from nginx's access log by mtail, neither of which this stack runs:
 * its panels stay empty here. mtail.test.ts runs the real mtail on the shipped log format, and the
 * generated promtool tests the objective's rules.
 */
const NEEDS_THE_EDGE = /edge_error_ratio|slo="edge-availability"/;

const isEventDriven = (query: PanelQuery) =>
  EVENT_DRIVEN_PANELS.some(
    (entry) => entry.dashboard === query.dashboardUid && entry.panel === query.panelTitle && (entry.refId === undefined || entry.refId === query.refId),
  );

/** Sends one request and answers its status (0 when no answer came). */
async function send(url: string, init: RequestInit = {}): Promise<number> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...init });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

function tally(statuses: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

const available = monitoringProgramsAvailable() && privateMariaDbAvailable() && privateRedisAvailable();

describeWithService(`${MONITORING_PROGRAMS.join(', ')}, mariadbd and redis-server`, available, 'the monitoring stack against the running app (live Prometheus)', () => {
  const startedAt = Date.now();
  let workDir: string;
  let mariadb: PrivateServer | undefined;
  let redis: PrivateServer | undefined;
  let app: AppProcess | undefined;
  const daemons: Daemon[] = [];
  let prom: PrometheusApi;
  let prometheusStartedAt: number;
  let cookie: string;
  let apiToken: string;
  const allRecording = recordingRules();
  const allAlerts = alertRules();
  const allPanels = panelQueries();
  const figures = {
    requests: 0,
    queriesChecked: 0,
    panelsWithDataNormally: 0,
    emptyUnderNormalTraffic: [] as string[],
    edgeOnly: [] as string[],
    normalP95Seconds: NaN,
    faultsDetected: [] as string[],
  };

  const rule = (name: string, predicate: (candidate: AlertRule) => boolean = () => true): AlertRule => {
    const found = allAlerts.find((candidate) => candidate.alert === name && predicate(candidate));
    if (!found) throw new Error(`alerts.yml has no ${name} rule of that kind`);
    return found;
  };

  const evaluate = (query: PanelQuery): Promise<QueryResult> =>
    query.instant ? prom.instant(query.expr) : prom.range(query.expr, prometheusStartedAt / 1000, Date.now() / 1000);

  const page = (pathname: string) => send(`${app!.url}${pathname}`, { headers: { cookie, accept: 'text/html' } });
  const createTodoThroughApi = (title: string) =>
    send(`${app!.url}/api/todos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });

  async function readiness(): Promise<number> {
    return send(`${app!.url}/readyz`);
  }

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-live-monitoring-'));
    mariadb = await startPrivateMariaDb();
    redis = await startPrivateRedis();
    const metricsPort = await freePort();
    const env = { ...mariadb.env, ...redis.env, METRICS_PORT: String(metricsPort), DB_POOL_ACQUIRE_MS: '3000' };
    app = await startAppProcess(env);
    await app.waitForLine((line) => line.event === 'metrics_listening');

    const appUrl = app.url;
    await withCore({ NODE_ENV: 'test', ...env }, async ({ services }) => {
      const password = 'live monitoring password';
      const user = await services.users.create({ name: 'Live Check', email: 'live@example.com', password, isAdmin: false });
      apiToken = (await services.tokens.create(user.id, 'live monitoring')).token;
      const login = await logInOverHttp(appUrl, user.email, password);
      if (!login.cookie) throw new Error(`Logging in failed with ${login.status}`);
      cookie = login.cookie;
    });

    daemons.push(await startNodeExporter(workDir, BACKUP_AGE_SECONDS));
    daemons.push(await startMysqldExporter(workDir, mariadb));
    daemons.push(await startRedisExporter(workDir, redis));
    const [node, mysqld, redisExporter] = daemons;
    prometheusStartedAt = Date.now();
    const prometheus = await startPrometheus(workDir, {
      todobox: `127.0.0.1:${metricsPort}`,
      node: node.address,
      mysqld: mysqld.address,
      redis: redisExporter.address,
    });
    daemons.push(prometheus);
    prom = prometheusApi(`http://${prometheus.address}`);

    const deadline = Date.now() + 20_000;
    for (;;) {
      const targets = await prom.targets();
      if (targets.length === 5 && targets.every((target) => target.health === 'up')) break;
      if (Date.now() > deadline) throw new Error(`Scrape targets not all up: ${JSON.stringify(targets)}`);
      await sleep(500);
    }
  }, 150_000);

  afterAll(async () => {
    for (const daemon of daemons.reverse()) await daemon.stop().catch(() => undefined);
    await app?.stop().catch(() => undefined);
    await mariadb?.remove().catch(() => undefined);
    await redis?.remove().catch(() => undefined);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    process.stdout.write(
      `[live monitoring] queries checked ${figures.queriesChecked} (${allRecording.length} recording, ${allAlerts.length} alert, ` +
        `${allPanels.length} panel), panels with data ${figures.panelsWithDataNormally}/${allPanels.length} under normal traffic ` +
        `(empty until their event: ${figures.emptyUnderNormalTraffic.length}, edge only: ${figures.edgeOnly.length}), alerts evaluated ${allAlerts.length} ` +
        `(${new Set(allAlerts.map((candidate) => candidate.alert)).size} names), faults detected ${new Set(figures.faultsDetected.map((text) => text.replace(/[{ ].*/, ''))).size}/6 ` +
        `[${figures.faultsDetected.join('; ')}], p95 under normal traffic ${(figures.normalP95Seconds * 1000).toFixed(0)} ms, requests sent ${figures.requests}, runtime ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`,
    );
  }, 60_000);

  it('under normal traffic every rule and panel query evaluates, the panels show data and no alert on the app\'s behaviour is above its threshold', async () => {
    const statuses: Record<string, number[]> = { page: [], create: [], list: [], missing: [] };
    const trafficEnds = Date.now() + NORMAL_TRAFFIC_MS;
    for (let round = 0; round < 2_000 && Date.now() < trafficEnds; round++) {
      statuses.page.push(await page(`/todos/${TODO_LISTS[round % TODO_LISTS.length]}`));
      statuses.create.push(await createTodoThroughApi(`live check ${round}`));
      statuses.list.push(await send(`${app!.url}/api/todos`, { headers: { authorization: `Bearer ${apiToken}` } }));
      if (round % 10 === 0) statuses.missing.push(await page(`/no/such/page/${round}`));
      await sleep(PAUSE_MS);
    }
    figures.requests += Object.values(statuses).flat().length;
    expect(Object.fromEntries(Object.entries(statuses).map(([kind, list]) => [kind, Object.keys(tally(list))]))).toEqual({
      page: ['200'],
      create: ['201'],
      list: ['200'],
      missing: ['404'],
    });

    // Every rule has been evaluated at least once (the recording group runs every 30 s).
    const deadline = Date.now() + 35_000;
    let rules = await prom.rules();
    while (rules.some((state) => state.health === 'unknown') && Date.now() < deadline) {
      await sleep(1_000);
      rules = await prom.rules();
    }
    expect(rules.filter((state) => state.type === 'recording')).toHaveLength(allRecording.length);
    expect(rules.filter((state) => state.type === 'alerting')).toHaveLength(allAlerts.length);
    expect(rules.filter((state) => state.health !== 'ok' || state.lastError).map((state) => `${state.name}: ${state.health} ${state.lastError ?? ''}`)).toEqual([]);

    const failedQueries: string[] = [];
    for (const recording of allRecording) {
      const result = await prom.instant(recording.expr);
      figures.queriesChecked += 1;
      if (!result.ok) failedQueries.push(`${recording.record}: ${result.error}`);
    }

    // Under normal traffic each alert's expression must return nothing: nothing is above its threshold.
    const aboveThreshold: string[] = [];
    for (const alert of allAlerts) {
      const result = await prom.instant(alert.expr);
      figures.queriesChecked += 1;
      if (!result.ok) failedQueries.push(`${alertRuleName(alert)}: ${result.error}`);
      if (result.series.length > 0 && !MEASURES_THE_MACHINE.test(alert.expr) && alert.alert !== ALWAYS_FIRING) {
        aboveThreshold.push(`${alertRuleName(alert)}: ${JSON.stringify(result.series)}`);
      }
    }

    const emptyPanels: string[] = [];
    for (const query of allPanels) {
      const result = await evaluate(query);
      figures.queriesChecked += 1;
      if (!result.ok) failedQueries.push(`${queryName(query)}: ${result.error}`);
      else if (hasData(result)) figures.panelsWithDataNormally += 1;
      else if (isEventDriven(query)) figures.emptyUnderNormalTraffic.push(queryName(query));
      else if (NEEDS_THE_EDGE.test(query.rawExpr)) figures.edgeOnly.push(queryName(query));
      else emptyPanels.push(`${queryName(query)}: ${query.expr}`);
    }

    figures.normalP95Seconds = Number((await prom.instant('todobox:http_request_duration_seconds:p95_5m')).series[0]?.value?.[1]);

    expect(failedQueries).toEqual([]);
    expect(emptyPanels).toEqual([]);
    expect(aboveThreshold).toEqual([]);
    // ALERTS holds every pending and firing alert: the Watchdog, and nothing else, not even
    // TLSCertificateExpiring, whose metric does not exist here (no blackbox target), so its
    // expression is simply empty.
    const alerts = (await prom.instant('ALERTS')).series;
    expect(alerts.filter((sample) => sample.metric.alertname === ALWAYS_FIRING).map((sample) => sample.metric.alertstate)).toEqual(['firing']);
    const pendingOrFiring = alerts.filter((sample) => sample.metric.alertname !== ALWAYS_FIRING).filter((sample) => {
      const rules = allAlerts.filter(
        (candidate) =>
          candidate.alert === sample.metric.alertname &&
          Object.entries(candidate.labels).every(([key, value]) => sample.metric[key] === value),
      );
      return !rules.some((candidate) => MEASURES_THE_MACHINE.test(candidate.expr));
    });
    expect(pendingOrFiring.map((sample) => `${sample.metric.alertname} ${sample.metric.alertstate}`)).toEqual([]);
    const machineBound = allAlerts.filter((alert) => MEASURES_THE_MACHINE.test(alert.expr));
    expect([...new Set(machineBound.map((alert) => alert.alert))].sort()).toEqual([
      'BlackboxProbeSlow', 'DiskSpaceLow', 'DiskWillFillIn24h', 'ErrorBudgetBurn', 'EventLoopLag', 'HighMemoryUsage', 'LatencyTargetMissed', 'SlowResponses',
    ]);
    // Of the burn-rate alerts, only the latency objectives' measure the machine.
    expect([...new Set(machineBound.filter((alert) => alert.alert === 'ErrorBudgetBurn').map((alert) => alert.labels.objective))].sort()).toEqual(['latency', 'latency-500ms']);
    expect(figures.edgeOnly.length).toBeGreaterThan(0);
    expect((await prom.instant('probe_ssl_earliest_cert_expiry')).series).toEqual([]);
    // The allow-list names real panels only.
    for (const entry of EVENT_DRIVEN_PANELS) {
      expect({ entry, found: allPanels.some((query) => query.dashboardUid === entry.dashboard && query.panelTitle === entry.panel) }).toEqual({ entry, found: true });
    }
  }, 150_000);

  it('with the database frozen, writes answered seconds late push SlowResponses, LatencyTargetMissed and the fast latency burn over their thresholds', async () => {
    const watched = [
      rule('SlowResponses'),
      rule('LatencyTargetMissed'),
      rule('ErrorBudgetBurn', (candidate) => candidate.labels.objective === 'latency' && candidate.labels.window === 'fast'),
    ];
    const statuses: number[] = [];
    const slowStartedAt = Date.now();
    for (let wave = 0; wave < SLOW_WAVES; wave++) {
      mariadb!.freeze();
      // Writes always reach the database, so each of these waits for the thaw, however fast the machine.
      const answers = Array.from({ length: SLOW_WAVE_REQUESTS }, (_, index) => createTodoThroughApi(`slow wave ${wave} ${index}`));
      await sleep(FREEZE_MS);
      mariadb!.thaw();
      statuses.push(...(await Promise.all(answers)));
    }
    figures.requests += statuses.length;

    const detectedAfter = new Map<string, number>();
    const deadline = Date.now() + LATENCY_DETECTION_LIMIT_MS;
    while (detectedAfter.size < watched.length && Date.now() < deadline) {
      for (const alert of watched.filter((candidate) => !detectedAfter.has(alertRuleName(candidate)))) {
        if ((await prom.instant(alert.expr)).series.length > 0) detectedAfter.set(alertRuleName(alert), (Date.now() - slowStartedAt) / 1000);
      }
      if (detectedAfter.size < watched.length) await sleep(1_000);
    }
    figures.faultsDetected.push(...[...detectedAfter].map(([name, seconds]) => `${name} ${seconds.toFixed(0)} s after the first frozen write`));

    expect(statuses.filter((status) => status === 201).length).toBeGreaterThan(0.9 * statuses.length);
    expect([...detectedAfter.keys()].sort()).toEqual(watched.map(alertRuleName).sort());
  }, 120_000);

  it('with the database stopped, a burst of 503 answers pushes HighErrorRate and both DatabaseConnectionErrors rules over their thresholds', async () => {
    const watched = [
      rule('HighErrorRate'),
      rule('DatabaseConnectionErrors', (candidate) => candidate.expr.includes('todobox_db_errors_total')),
      rule('DatabaseConnectionErrors', (candidate) => candidate.expr.includes('mysql_up')),
    ];
    const detectedAfter = new Map<string, number>();
    const statuses: number[] = [];
    const stoppedAt = Date.now();
    await mariadb!.stop('SIGKILL');

    let lastCheck = 0;
    for (let round = 0; round < 5_000; round++) {
      const elapsed = Date.now() - stoppedAt;
      if ((elapsed >= ERROR_BURST_MS && detectedAfter.size === watched.length) || elapsed > ERROR_DETECTION_LIMIT_MS) break;
      statuses.push(await page('/todos/today'));
      statuses.push(await createTodoThroughApi(`during the outage ${round}`));
      if (Date.now() - lastCheck >= 1_000) {
        lastCheck = Date.now();
        for (const alert of watched.filter((candidate) => !detectedAfter.has(alertRuleName(candidate)))) {
          if ((await prom.instant(alert.expr)).series.length > 0) detectedAfter.set(alertRuleName(alert), (Date.now() - stoppedAt) / 1000);
        }
      }
      await sleep(PAUSE_MS / 2);
    }
    figures.requests += statuses.length;
    figures.faultsDetected.push(...[...detectedAfter].map(([name, seconds]) => `${name} ${seconds.toFixed(0)} s after the database stopped`));
    const errors = statuses.filter((status) => status === 503).length;

    await mariadb!.restart();
    const recoveryDeadline = Date.now() + 30_000;
    while ((await readiness()) !== 200 && Date.now() < recoveryDeadline) await sleep(250);

    expect(Object.keys(tally(statuses))).toEqual(['503']);
    expect(errors).toBeGreaterThan(50);
    expect([...detectedAfter.keys()].sort()).toEqual(watched.map(alertRuleName).sort());
    expect(await readiness()).toBe(200);
    expect(await page('/todos/today')).toBe(200);
  }, 120_000);

  it('a burst of failed logins pushes UnauthorizedAccessAttempts over its threshold', async () => {
    const alert = rule('UnauthorizedAccessAttempts');
    expect((await prom.instant(alert.expr)).series).toEqual([]);
    const statuses: number[] = [];
    const burstStartedAt = Date.now();
    for (let attempt = 0; attempt < FAILED_LOGINS; attempt++) {
      const login = await logInOverHttp(app!.url, `intruder${attempt % FAKE_ACCOUNTS}@example.com`, `wrong password ${attempt}`);
      statuses.push(login.status);
    }
    const burstSeconds = (Date.now() - burstStartedAt) / 1000;
    figures.requests += 2 * statuses.length;

    let detected: QueryResult | undefined;
    const deadline = Date.now() + LOGIN_DETECTION_LIMIT_MS;
    while (!detected && Date.now() < deadline) {
      const result = await prom.instant(alert.expr);
      if (result.series.length > 0) detected = result;
      else await sleep(1_000);
    }
    if (detected) {
      figures.faultsDetected.push(
        `UnauthorizedAccessAttempts ${((Date.now() - burstStartedAt) / 1000).toFixed(0)} s after the first of ${FAILED_LOGINS} failed logins ` +
          `(sent in ${burstSeconds.toFixed(0)} s, ${Number(detected.series[0].value?.[1]).toFixed(2)}/s)`,
      );
    }

    // Wrong passwords are refused (401) until the login throttle steps in (429): never a CSRF refusal.
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThan(0);
    expect(burstSeconds).toBeLessThan(30);
    expect(detected?.series.map((sample) => sample.metric.job)).toEqual(['todobox']);
    expect(Number(detected?.series[0].value?.[1])).toBeGreaterThan(0.1);
  }, 90_000);

  it("marks the release that started on the dashboards' Deploys annotation, once", async () => {
    const expr = substituteVariables(deployAnnotation(loadDashboards()[0].dashboard)?.expr ?? '');
    const running = (await prom.instant('todobox_build_info{job="todobox"}')).series.map((sample) => sample.metric.version);
    const marks = await prom.range(expr, prometheusStartedAt / 1000, Date.now() / 1000, 15);
    expect(marks.ok).toBe(true);
    expect(running).toHaveLength(1);
    // The version was first seen when Prometheus first scraped the app: one mark there, none since.
    expect(marks.series.map((sample) => sample.metric.version)).toEqual(running);
    // Marked from the first scrape on, for the 2 minutes its `offset` looks back, and never again.
    const markedAt = (marks.series[0].values ?? []).map(([time]) => time * 1000);
    expect(markedAt[0] - prometheusStartedAt).toBeLessThan(30_000);
    expect(markedAt[markedAt.length - 1] - markedAt[0]).toBeLessThanOrEqual(2 * 60_000);
  });

  it('the panels allowed to be empty under normal traffic show data once their event happened', async () => {
    const eventDriven = allPanels.filter(isEventDriven);
    const stillEmpty: string[] = [];
    for (const query of eventDriven) {
      // A rate over the panel's window needs two scrapes of a series that appeared with the event.
      let result = await evaluate(query);
      for (let attempt = 0; attempt < 15 && result.ok && !hasData(result); attempt++) {
        await sleep(1_000);
        result = await evaluate(query);
      }
      figures.queriesChecked += 1;
      if (!result.ok || !hasData(result)) stillEmpty.push(`${queryName(query)}: ${result.error ?? 'no data'}`);
    }
    expect(eventDriven.length).toBeGreaterThan(0);
    expect(stillEmpty).toEqual([]);
  }, 60_000);
});
