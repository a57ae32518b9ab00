import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AppProcess, freePort, startAppProcess } from '../helpers/appProcess';
import { OtlpReceiver, ReceivedSpan, startOtlpReceiver } from '../helpers/otlpReceiver';
import { describeWithService, mariaDbAvailable, postgresAvailable, REDIS_TEST_URL, redisAvailable, uniqueRedisKeyPrefix } from '../helpers/requiredService';
import { createTestDatabase, TestDatabase } from '../helpers/testDatabase';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';
const SERVER = 2;

/**
 * Preloaded into the app: as the process exits, prints which OpenTelemetry packages it had loaded.
 * Written per run, so the test needs no file of its own outside its temporary folder.
 */
function moduleProbe(dir: string): string {
  const file = path.join(dir, 'loaded-modules-probe.js');
  fs.writeFileSync(
    file,
    `process.on('exit', () => {
      const packages = new Set(Object.keys(require.cache).map((file) => /[\\\\/]node_modules[\\\\/](@opentelemetry[\\\\/][^\\\\/]+)/.exec(file)?.[1]).filter(Boolean));
      require('node:fs').writeSync(1, JSON.stringify({ message: 'loaded modules', openTelemetry: [...packages] }) + '\\n');
    });`,
  );
  return file;
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type?: string; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, type: res.headers['content-type'], cookies: res.headers['set-cookie'] ?? [] }));
      })
      .on('error', reject);
  });
}

/** A W3C trace context of this run's own, as a caller (a proxy, another service) sends it. */
function incomingTrace() {
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  return { traceId, parentSpanId, traceparent: `00-${traceId}-${parentSpanId}-01` };
}

function hasAncestor(span: ReceivedSpan, ancestorId: string, spans: ReceivedSpan[]): boolean {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  for (let parent = span.parentSpanId; parent; parent = byId.get(parent)?.parentSpanId) if (parent === ancestorId) return true;
  return false;
}

/** The app with tracing sent to the receiver, spans sent a tenth of a second after they end rather than five seconds. */
function startTracedApp(receiver: OtlpReceiver, env: Record<string, string>): Promise<AppProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-tracing-'));
  return startAppProcess(
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      METRICS_TOKEN,
      NODE_OPTIONS: `--require ${moduleProbe(dir)}`,
      ...env,
    },
    { dir },
  );
}

/** express-session's signed cookie value is s:<session id>.<signature>. */
const sessionIdIn = (cookies: string[]) => /=s%3A([^.;]+)\./.exec(cookies.join(';'))?.[1];

const loadedOpenTelemetry = (app: AppProcess) => app.lines().find((line) => line.message === 'loaded modules')?.openTelemetry as string[];
const requestLine = (app: AppProcess, route: string) => app.waitForLine((line) => line.message === 'request' && line.route === route);

describe('tracing off (OTEL_EXPORTER_OTLP_ENDPOINT unset)', () => {
  let receiver: OtlpReceiver;
  let app: AppProcess | undefined;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await app?.stop('SIGKILL');
    await receiver.close();
    if (app) fs.rmSync(app.dir, { recursive: true, force: true });
  });

  it('loads no OpenTelemetry SDK or instrumentation, exports no span, and logs no trace id, even with a traceparent and a traces endpoint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-tracing-'));
    const { traceparent } = incomingTrace();
    // Were the SDK started, this traces-only variable would send its spans to the receiver.
    app = await startAppProcess(
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', METRICS_TOKEN, NODE_OPTIONS: `--require ${moduleProbe(dir)}` },
      { dir },
    );
    expect((await get(`${app.url}/setup`, { traceparent })).status).toBe(200);
    const line = await requestLine(app, '/setup');
    expect(line).not.toHaveProperty('traceId');
    expect(line).not.toHaveProperty('spanId');
    const scraped = await get(`${app.url}/metrics`, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(scraped.type).toMatch(/^text\/plain;.*version=0\.0\.4/);

    await app.stop('SIGTERM');
    // prom-client loads the API (a no-op until an SDK registers) for its own exemplars, with or without tracing.
    expect(loadedOpenTelemetry(app)).toEqual(expect.any(Array));
    expect(loadedOpenTelemetry(app).filter((name) => name !== '@opentelemetry/api')).toEqual([]);
    expect(receiver.spans()).toEqual([]);
  });
});

describe('tracing on, with a collector that accepts connections and never answers', () => {
  it('stops on SIGTERM with exit 0, giving up the last spans after its own limit rather than the exporter\'s', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = http.createServer(() => undefined);
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as import('node:net').AddressInfo;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-tracing-'));
    try {
      // The exporter's own timeout is set far beyond the app's limit: only the limit can end the wait.
      const app = await startAppProcess(
        { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TIMEOUT: '600000', OTEL_BSP_SCHEDULE_DELAY: '60000', METRICS_TOKEN },
        { dir },
      );
      expect((await get(`${app.url}/setup`)).status).toBe(200);
      const { code } = await app.stop('SIGTERM');
      expect(code).toBe(0);
      expect(app.lines().find((line) => line.event === 'tracing_failed')).toMatchObject({ message: 'Sending the last spans failed' });
      expect(JSON.stringify(app.lines().find((line) => line.event === 'tracing_failed'))).toContain('took over 3000 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithService('PostgreSQL', postgresAvailable(), 'tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set), against PostgreSQL', () => {
  let receiver: OtlpReceiver;
  let database: TestDatabase;
  let app: AppProcess | undefined;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
    database = await createTestDatabase('postgres');
  });
  afterEach(async () => {
    await app?.stop('SIGKILL');
    await receiver.close();
    await database.drop();
    if (app) fs.rmSync(app.dir, { recursive: true, force: true });
  });

  const startTraced = (env: Record<string, string> = {}) => startTracedApp(receiver, { ...database.env, ...env });

  it('continues the caller\'s trace: server span under the given parent, the query beneath it, the trace on the log line and on an exemplar, no secret in a span', async () => {
    app = await startTraced();
    const { traceId, parentSpanId, traceparent } = incomingTrace();
    const searchTerm = `term-${randomBytes(6).toString('hex')}`;
    const page = await get(`${app.url}/setup?q=${searchTerm}`, { traceparent });
    expect(page.status).toBe(200);
    const sessionId = sessionIdIn(page.cookies);
    expect(sessionId).toBeTruthy();

    const server = await receiver.waitForSpan((span) => span.traceId === traceId && span.kind === SERVER);
    expect(server.parentSpanId).toBe(parentSpanId);
    expect(server.attributes).toMatchObject({ 'http.route': '/setup' });
    expect(server.resource).toMatchObject({ 'service.name': 'todobox', 'service.version': VERSION });
    const query = await receiver.waitForSpan((span) => span.traceId === traceId && span.attributes['db.system.name'] === 'postgresql');
    expect(hasAncestor(query, server.spanId, receiver.spans())).toBe(true);
    // The session store writes the session into its statement: the span keeps the statement's shape only.
    const sessionWrite = await receiver.waitForSpan((span) => span.traceId === traceId && String(span.attributes['db.query.text']).includes('INSERT INTO sessions'));
    expect(sessionWrite.attributes['db.query.text']).toMatch(/VALUES \(\?, \?, \?, \?, \?\)/);
    expect(JSON.stringify(receiver.spans())).not.toContain(sessionId);
    expect(server.attributes['url.query']).toBe('REDACTED');
    expect(JSON.stringify(receiver.spans())).not.toContain(searchTerm);

    const line = await requestLine(app, '/setup');
    expect(line).toMatchObject({ traceId, spanId: server.spanId });

    const scraped = await get(`${app.url}/metrics`, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(scraped.type).toMatch(/^application\/openmetrics-text/);
    const exemplar = scraped.text.split('\n').find((sample) => sample.startsWith('http_request_duration_seconds_bucket{') && sample.includes('route="/setup"') && sample.includes(' # {'));
    expect(exemplar).toContain(`trace_id="${traceId}",span_id="${server.spanId}"`);

    await app.stop('SIGTERM');
    expect(loadedOpenTelemetry(app)).toEqual(expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/instrumentation-pg']));
  });

  it('traces in every worker with WEB_CONCURRENCY=2, whose combined metrics carry no exemplar', async () => {
    app = await startTraced({ WEB_CONCURRENCY: '2' });
    const started = () => app!.lines().filter((line) => line.message === 'TodoBox startup');
    await app.waitForLine(() => started().length === 2);
    // Each fresh connection goes to the next worker in turn, so these reach both.
    const traces = [incomingTrace(), incomingTrace(), incomingTrace(), incomingTrace()];
    for (const { traceparent } of traces) expect((await get(`${app.url}/setup`, { traceparent })).status).toBe(200);

    const servers = await Promise.all(traces.map(({ traceId }) => receiver.waitForSpan((span) => span.traceId === traceId && span.kind === SERVER)));
    expect(servers.map((span) => span.parentSpanId)).toEqual(traces.map((trace) => trace.parentSpanId));
    expect(new Set(servers.map((span) => span.resource['process.pid'])).size).toBe(2);
    // The primary combines the workers' metrics in the text format, which has no exemplars (docs/tracing.md).
    const scraped = await get(`${app.url}/metrics`, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(scraped.type).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(scraped.text).toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/setup"[^}]*\} 4$/m);
    expect(scraped.text).not.toContain('trace_id=');
  });
});

describeWithService('MariaDB and Redis', mariaDbAvailable() && redisAvailable(), 'tracing on, against MariaDB with sessions in Redis', () => {
  let receiver: OtlpReceiver;
  let database: TestDatabase;
  let app: AppProcess | undefined;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
    database = await createTestDatabase('mysql');
  });
  afterEach(async () => {
    await app?.stop('SIGKILL');
    await receiver.close();
    await database.drop();
    if (app) fs.rmSync(app.dir, { recursive: true, force: true });
  });

  it('puts the MySQL queries and Redis commands of a request under its server span, with no literal and no session id', async () => {
    app = await startTracedApp(receiver, { ...database.env, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: uniqueRedisKeyPrefix() });
    const { traceId, traceparent } = incomingTrace();
    const page = await get(`${app.url}/setup`, { traceparent });
    expect(page.status).toBe(200);
    const sessionId = sessionIdIn(page.cookies);
    expect(sessionId).toBeTruthy();

    const server = await receiver.waitForSpan((span) => span.traceId === traceId && span.kind === SERVER);
    const query = await receiver.waitForSpan((span) => span.traceId === traceId && span.attributes['db.system.name'] === 'mysql');
    expect(hasAncestor(query, server.spanId, receiver.spans())).toBe(true);
    const command = await receiver.waitForSpan((span) => span.traceId === traceId && span.attributes['db.system.name'] === 'redis');
    expect(hasAncestor(command, server.spanId, receiver.spans())).toBe(true);
    expect(command.attributes['db.query.text']).toMatch(/^[A-Z]+$/);

    await app.stop('SIGTERM');
    const statements = receiver.spans().map((span) => String(span.attributes['db.query.text'] ?? ''));
    expect(statements.filter((statement) => statement.includes("'"))).toEqual([]);
    expect(JSON.stringify(receiver.spans())).not.toContain(sessionId);
  });
});

const prometheusInstalled = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;

/** Polls a Prometheus API endpoint until `found` accepts its data. */
async function untilPrometheusAnswers<T>(url: string, found: (data: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const answer = await get(url).catch((error: Error) => ({ status: 0, text: error.message }));
    last = answer.text;
    if (answer.status === 200) {
      const { data } = JSON.parse(answer.text) as { data: T };
      if (found(data)) return data;
    }
    if (Date.now() > deadline) throw new Error(`Prometheus never answered as expected; last answer: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describeWithService('Prometheus (apt package prometheus)', prometheusInstalled, 'exemplars read by a real Prometheus', () => {
  let receiver: OtlpReceiver;
  let app: AppProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let prometheusDir: string;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
    prometheusDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-tracing-prometheus-'));
  });
  afterEach(async () => {
    prometheus?.kill('SIGKILL');
    await app?.stop('SIGKILL');
    await receiver.close();
    fs.rmSync(prometheusDir, { recursive: true, force: true });
    if (app) fs.rmSync(app.dir, { recursive: true, force: true });
  });

  it('scrapes the OpenMetrics exposition of a traced app, with the usual series names, and keeps the request\'s exemplar', async () => {
    const metricsPort = await freePort();
    app = await startTracedApp(receiver, { METRICS_PORT: String(metricsPort) });
    const prometheusPort = await freePort();
    fs.writeFileSync(
      path.join(prometheusDir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: todobox\n    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]\n`,
    );
    prometheus = spawn(
      'prometheus',
      [`--config.file=${path.join(prometheusDir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(prometheusDir, 'data')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`, '--enable-feature=exemplar-storage'],
      { stdio: 'ignore' },
    );
    const { traceId, traceparent } = incomingTrace();
    expect((await get(`${app.url}/setup`, { traceparent })).status).toBe(200);

    const api = `http://127.0.0.1:${prometheusPort}/api/v1`;
    type Exemplars = Array<{ exemplars: Array<{ labels: Record<string, string> }> }>;
    const now = Math.floor(Date.now() / 1000);
    const exemplarsUrl = `${api}/query_exemplars?${new URLSearchParams({ query: 'http_request_duration_seconds_bucket{route="/setup"}', start: String(now - 600), end: String(now + 600) })}`;
    const stored = await untilPrometheusAnswers<Exemplars>(exemplarsUrl, (data) => data.length > 0);
    expect(stored.flatMap((series) => series.exemplars.map((exemplar) => exemplar.labels.trace_id))).toContain(traceId);

    type Targets = { activeTargets: Array<{ health: string; lastError: string }> };
    const targets = await untilPrometheusAnswers<Targets>(`${api}/targets`, (data) => data.activeTargets.length === 1);
    expect(targets.activeTargets[0]).toMatchObject({ health: 'up', lastError: '' });
    type Vector = { result: Array<{ metric: Record<string, string> }> };
    const logins = await untilPrometheusAnswers<Vector>(`${api}/query?query=todobox_login_attempts_total`, (data) => data.result.length > 0);
    expect(logins.result.map((series) => series.metric.result).sort()).toEqual(['failure', 'success', 'throttled']);
  });
});
