import http from 'node:http';
import { AppProcess, freePort, startAppProcess } from '../helpers/appProcess';
import { describeWithService } from '../helpers/requiredService';
import { promtoolAvailable, promtoolComplaints, sampleValue } from '../helpers/exposition';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, type: res.headers['content-type'] }));
      })
      .on('error', reject);
  });
}

const loginPageCount = (text: string) =>
  sampleValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/setup', status_code: '200' }) ?? 0;

describe('metrics on the internal port (METRICS_PORT)', () => {
  let app: AppProcess;
  afterEach(async () => {
    await app?.stop('SIGKILL');
  });

  it('serves /metrics there without a token, and nothing else; the main port has no /metrics without a token', async () => {
    const metricsPort = await freePort();
    app = await startAppProcess({ METRICS_PORT: String(metricsPort) });
    await app.waitForLine((line) => line.event === 'metrics_listening');
    expect((await get(`${app.url}/setup`)).status).toBe(200);

    const scraped = await get(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(loginPageCount(scraped.text)).toBe(1);
    expect((await get(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
    expect((await get(`${app.url}/metrics`)).status).toBe(404);
  });

  it('with WEB_CONCURRENCY=2 sums both workers, on the internal port and behind the token on the main port', async () => {
    const metricsPort = await freePort();
    app = await startAppProcess({ WEB_CONCURRENCY: '2', METRICS_PORT: String(metricsPort), METRICS_TOKEN });
    const started = () => app.lines().filter((line) => line.message === 'TodoBox startup');
    await app.waitForLine(() => started().length === 2);

    // Each fresh connection goes to the next worker in turn (the cluster's round-robin), so either
    // worker alone has counted about half of these.
    const requests = 40;
    for (let i = 0; i < requests; i++) expect((await get(`${app.url}/setup`)).status).toBe(200);

    const internal = await get(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(internal.status).toBe(200);
    expect(loginPageCount(internal.text)).toBe(requests);
    // Counted in the workers, not in the primary: its own process metrics are not what is served.
    expect(sampleValue(internal.text, 'todobox_build_info', { node_version: process.versions.node })).toBe(1);

    expect((await get(`${app.url}/metrics`)).status).toBe(401);
    for (let scrape = 0; scrape < 4; scrape++) {
      const viaWorker = await get(`${app.url}/metrics`, { Authorization: `Bearer ${METRICS_TOKEN}` });
      expect(viaWorker.status).toBe(200);
      expect(loginPageCount(viaWorker.text)).toBe(requests);
    }
  });
});

describeWithService('promtool (apt package prometheus)', promtoolAvailable(), 'aggregated metrics against promtool check metrics', () => {
  let app: AppProcess;
  afterEach(async () => {
    await app?.stop('SIGKILL');
  });

  it('raises no complaint about the app\'s own metrics after summing the workers', async () => {
    const metricsPort = await freePort();
    app = await startAppProcess({ WEB_CONCURRENCY: '2', METRICS_PORT: String(metricsPort) });
    await app.waitForLine(() => app.lines().filter((line) => line.message === 'TodoBox startup').length === 2);
    await get(`${app.url}/setup`);
    await get(`${app.url}/no/such/path`);
    const { text } = await get(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(text).toContain('http_request_duration_seconds_bucket');
    const complaints = promtoolComplaints(text);
    expect(complaints.filter((line) => /^(todobox_|http_)/.test(line))).toEqual([]);
    expect(complaints.every((line) => /^nodejs_\w+_total non-counter metrics should not have "_total" suffix$/.test(line))).toBe(true);
  });
});
