import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findProgram } from '../../app/test/helpers/privateServers';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { startAlertmanager, type Daemon } from './monitoringStack';

/**
 * The shipped alertmanager.yml in a real Alertmanager (amtool checks routes, not inhibition): alerts
 * are posted to its API as Prometheus posts them, and its own view of each (active, or suppressed
 * and by what) is read back. Receivers that can be reached here (the Slack-shaped ones) post to a
 * local server, so the Watchdog's way to the dead man's switch is seen end to end.
 */

interface PostedAlert {
  labels: Record<string, string>;
}

interface AlertmanagerAlert {
  fingerprint: string;
  labels: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[] };
}

const WAIT_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithService('prometheus-alertmanager (Debian package)', findProgram('prometheus-alertmanager') !== undefined, 'Alertmanager with the shipped configuration', () => {
  let workDir: string;
  let alertmanager: Daemon;
  let receiver: Server;
  const received: Array<{ path: string; body: string }> = [];

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-alertmanager-'));
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ path: request.url ?? '', body });
        // As healthchecks.io answers a ping (Slack itself answers `ok`).
        response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await new Promise((resolve) => receiver.once('listening', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    alertmanager = await startAlertmanager(workDir, {
      'pagerduty-routing-key': 'test-routing-key',
      'slack-webhook-url': `${receiverUrl}/chat`,
      'slack-tickets-webhook-url': `${receiverUrl}/tickets`,
      'watchdog-url': `${receiverUrl}/watchdog`,
    });
  }, 60_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await new Promise((resolve) => receiver.close(resolve));
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  /** Posts alerts as Prometheus does (firing, ending in an hour), each labelled once. */
  async function post(alerts: PostedAlert[]): Promise<void> {
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const response = await fetch(`http://${alertmanager.address}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts.map((alert) => ({ ...alert, annotations: { summary: alert.labels.alertname }, endsAt }))),
    });
    expect(response.status).toBe(200);
  }

  async function alertsNow(): Promise<AlertmanagerAlert[]> {
    const response = await fetch(`http://${alertmanager.address}/api/v2/alerts`);
    return (await response.json()) as AlertmanagerAlert[];
  }

  /** Each alert's state by `name` (alertname, and instance where there is one), once every alert named is processed. */
  async function states(names: string[]): Promise<Record<string, string>> {
    const key = (alert: AlertmanagerAlert) => [alert.labels.alertname, alert.labels.instance].filter(Boolean).join(' ');
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const alerts = await alertsNow();
      const seen = Object.fromEntries(alerts.map((alert) => [key(alert), alert.status.state]));
      if (names.every((name) => seen[name] !== undefined && seen[name] !== 'unprocessed') || Date.now() > deadline) {
        return Object.fromEntries(names.map((name) => [name, seen[name] ?? 'missing']));
      }
      await sleep(200);
    }
  }

  /** Polls until `expected` holds, or the wait is over; answers what was seen last. */
  async function settle(names: string[], expected: Record<string, string>): Promise<Record<string, string>> {
    const deadline = Date.now() + WAIT_MS;
    let seen = await states(names);
    while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline) {
      await sleep(200);
      seen = await states(names);
    }
    return seen;
  }

  const todobox = (alertname: string, severity: string, extra: Record<string, string> = {}) => ({ labels: { alertname, severity, job: 'todobox', ...extra } });

  it('with one instance down, HighErrorRate and the other symptoms still get through; with the service down, they are held back', async () => {
    await post([
      todobox('TodoBoxInstanceDown', 'warning', { instance: '10.0.1.11:9191' }),
      todobox('HighErrorRate', 'critical'),
      todobox('SlowResponses', 'critical'),
      todobox('DatabasePoolSaturated', 'warning', { instance: '10.0.1.12:9191' }),
      { labels: { alertname: 'BlackboxProbeFailed', severity: 'critical', job: 'blackbox', instance: 'https://todo.example.com/healthz' } },
      { labels: { alertname: 'HighMemoryUsage', severity: 'warning', job: 'node', instance: '10.0.1.12:9100' } },
    ]);
    const names = [
      'TodoBoxInstanceDown 10.0.1.11:9191',
      'HighErrorRate',
      'SlowResponses',
      'DatabasePoolSaturated 10.0.1.12:9191',
      'BlackboxProbeFailed https://todo.example.com/healthz',
      'HighMemoryUsage 10.0.1.12:9100',
    ];
    expect(await states(names)).toEqual(Object.fromEntries(names.map((name) => [name, 'active'])));

    await post([todobox('TodoBoxDown', 'critical')]);
    const held = {
      'TodoBoxDown': 'active',
      'TodoBoxInstanceDown 10.0.1.11:9191': 'suppressed',
      'HighErrorRate': 'suppressed',
      'SlowResponses': 'suppressed',
      'DatabasePoolSaturated 10.0.1.12:9191': 'suppressed',
      'BlackboxProbeFailed https://todo.example.com/healthz': 'suppressed',
      // Another job's alert, caused by nothing TodoBoxDown says: still sent.
      'HighMemoryUsage 10.0.1.12:9100': 'active',
    };
    expect(await settle(Object.keys(held), held)).toEqual(held);
    const inhibited = (await alertsNow()).find((alert) => alert.labels.alertname === 'HighErrorRate');
    expect(inhibited?.status.inhibitedBy).toHaveLength(1);
  }, 60_000);

  it('with no target at all (TodoBoxDown, reason no_target), still lets the public probe through', async () => {
    const blackbox = (instance: string) => ({ labels: { alertname: 'BlackboxProbeFailed', severity: 'critical', job: 'blackbox', instance } });
    await post([{ labels: { alertname: 'TodoBoxDown', severity: 'critical', job: 'todobox', reason: 'no_target', env: 'no-target-case' } }, blackbox('https://other.example.com/healthz')]);
    // The probe is held back by the first case's TodoBoxDown (no instance answers), never by the no-target one.
    const deadline = Date.now() + WAIT_MS;
    let alerts = await alertsNow();
    while (!alerts.some((alert) => alert.labels.instance === 'https://other.example.com/healthz' && alert.status.state !== 'unprocessed') && Date.now() < deadline) {
      await sleep(200);
      alerts = await alertsNow();
    }
    const probe = alerts.find((alert) => alert.labels.instance === 'https://other.example.com/healthz');
    const noTarget = alerts.find((alert) => alert.labels.reason === 'no_target');
    const serviceDown = alerts.find((alert) => alert.labels.alertname === 'TodoBoxDown' && alert.labels.reason === undefined);
    expect(noTarget?.status.state).toBe('active');
    expect(probe?.status.inhibitedBy).toEqual([serviceDown?.fingerprint]);
  }, 60_000);

  it("holds back only the symptoms of the environment that is down, when one Alertmanager serves several", async () => {
    await post([
      todobox('TodoBoxDown', 'critical', { env: 'staging' }),
      todobox('HighErrorRate', 'critical', { env: 'staging' }),
      todobox('HighErrorRate', 'critical', { env: 'production' }),
    ]);
    const byEnv = async () => {
      const errors = (await alertsNow()).filter((alert) => alert.labels.alertname === 'HighErrorRate' && alert.labels.env !== undefined);
      return Object.fromEntries(errors.map((alert) => [alert.labels.env, alert.status.state]));
    };
    const expected = { staging: 'suppressed', production: 'active' };
    const deadline = Date.now() + WAIT_MS;
    let seen = await byEnv();
    while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline) {
      await sleep(200);
      seen = await byEnv();
    }
    expect(seen).toEqual(expected);
  }, 60_000);

  it('sends the Watchdog to the dead man\'s switch at once, and to nobody else', async () => {
    await post([{ labels: { alertname: 'Watchdog', severity: 'none' } }]);
    const deadline = Date.now() + WAIT_MS;
    while (!received.some((request) => request.path === '/watchdog') && Date.now() < deadline) await sleep(200);
    const pings = received.filter((request) => request.path === '/watchdog');
    expect(pings.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(pings[0].body)).toMatchObject({ attachments: [{ title: 'Watchdog', text: 'The TodoBox alerting pipeline works.' }] });
    expect(received.filter((request) => request.path !== '/watchdog' && request.body.includes('Watchdog'))).toEqual([]);
  }, 60_000);
});
