import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppProcess, freePort, startAppProcess } from '../../app/test/helpers/appProcess';
import { findProgram } from '../../app/test/helpers/privateServers';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { alertRules } from './ruleFiles';

/**
 * scripts/monitoring-up.sh and monitoring-down.sh as an operator runs them: against the real app
 * process, with Debian's Prometheus, Alertmanager and node_exporter, on free loopback ports.
 */

const ROOT = path.resolve(__dirname, '../..');
const UP_SCRIPT = path.join(ROOT, 'scripts/monitoring-up.sh');
const DOWN_SCRIPT = path.join(ROOT, 'scripts/monitoring-down.sh');
const METRICS_TOKEN = 'monitoring-scripts-test-token-0123456789';
const DAEMONS = ['prometheus', 'alertmanager', 'node_exporter'];

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runScript(script: string, args: string[], cwd: string, env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { cwd, env: { PATH: process.env.PATH, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * True while the process exists and has not exited. The daemons outlive the script that started them,
 * so their new parent may be slow to reap them: an exited one can linger as a zombie (state Z).
 */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as T;
}

interface TargetsResponse {
  data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> };
}

interface RulesResponse {
  data: { groups: Array<{ rules: Array<{ type: string; name: string }> }> };
}

interface AlertsResponse {
  data: { alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> };
}

/** The base every alert's runbook_url starts with, as the production config sets it. */
const RUNBOOK_BASE_URL = /^ {4}runbook_base_url: (\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'monitoring/prometheus/prometheus.yml'), 'utf8'))?.[1];

const monitoringPrograms = ['prometheus', 'prometheus-alertmanager', 'prometheus-node-exporter', 'promtool', 'curl'];

describeWithService(
  monitoringPrograms.join(', '),
  monitoringPrograms.every((name) => findProgram(name) !== undefined),
  'scripts/monitoring-up.sh and monitoring-down.sh',
  () => {
    let app: AppProcess;
    let workDir: string;
    let dataDir: string;

    beforeAll(async () => {
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-monitoring-scripts-'));
      dataDir = path.join(workDir, 'monitoring-data');
      app = await startAppProcess({ METRICS_TOKEN });
    }, 60_000);

    afterAll(async () => {
      if (dataDir && fs.existsSync(dataDir)) await runScript(DOWN_SCRIPT, ['--data-dir', dataDir], workDir, {});
      await app?.stop();
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    }, 60_000);

    async function portArgs(): Promise<string[]> {
      return [
        '--app',
        app.url,
        '--data-dir',
        dataDir,
        '--prometheus-port',
        String(await freePort()),
        '--alertmanager-port',
        String(await freePort()),
        '--node-exporter-port',
        String(await freePort()),
      ];
    }

    it('refuses a wrong METRICS_TOKEN, naming the 401, and leaves nothing running', async () => {
      const result = await runScript(UP_SCRIPT, await portArgs(), workDir, { METRICS_TOKEN: 'not-the-token-of-this-app-0000' });

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/answered 401: the METRICS_TOKEN given here differs from the app's/);
      for (const daemon of DAEMONS) expect(fs.existsSync(path.join(dataDir, `${daemon}.pid`))).toBe(false);
    });

    it('starts Prometheus scraping the app with the alert rules loaded and remote write received, then stops exactly what it started', async () => {
      const args = await portArgs();
      const prometheusUrl = `http://127.0.0.1:${args[args.indexOf('--prometheus-port') + 1]}`;
      const alertmanagerUrl = `http://127.0.0.1:${args[args.indexOf('--alertmanager-port') + 1]}`;
      const nodeExporterAddress = `127.0.0.1:${args[args.indexOf('--node-exporter-port') + 1]}`;

      const up = await runScript(UP_SCRIPT, args, workDir, { METRICS_TOKEN });
      expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
      expect(up.stdout).toContain(`${prometheusUrl}/alerts`);
      expect(up.stdout).toContain(`monitoring-down.sh --data-dir ${dataDir}`);

      const pids = DAEMONS.map((daemon) => Number(fs.readFileSync(path.join(dataDir, `${daemon}.pid`), 'utf8')));
      for (const pid of pids) expect(isRunning(pid)).toBe(true);
      expect(fs.readFileSync(path.join(dataDir, 'prometheus.yml'), 'utf8')).not.toContain(METRICS_TOKEN);

      // The script returns once the app's target is up; node_exporter's first scrape may still be due.
      const fetchTargets = async () => (await json<TargetsResponse>(`${prometheusUrl}/api/v1/targets?state=active`)).data.activeTargets;
      const bothUp = (list: TargetsResponse['data']['activeTargets']) =>
        ['todobox', 'node'].every((job) => list.some((target) => target.labels.job === job && target.health === 'up'));
      const deadline = Date.now() + 30_000;
      let targets = await fetchTargets();
      while (!bothUp(targets) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        targets = await fetchTargets();
      }
      const health = (job: string) => targets.filter((t) => t.labels.job === job).map((t) => [t.labels.instance, t.health, t.lastError]);
      expect(health('todobox')).toEqual([[`127.0.0.1:${app.port}`, 'up', '']]);
      expect(health('node')).toEqual([[nodeExporterAddress, 'up', '']]);

      const rules = await json<RulesResponse>(`${prometheusUrl}/api/v1/rules`);
      const loadedAlerts = new Set(rules.data.groups.flatMap((group) => group.rules.filter((rule) => rule.type === 'alerting').map((rule) => rule.name)));
      const expectedAlerts = [...new Set(alertRules().map((rule) => rule.alert))].sort();
      expect(expectedAlerts.length).toBeGreaterThan(0);
      expect(expectedAlerts.filter((name) => !loadedAlerts.has(name))).toEqual([]);

      // The Watchdog fires from its group's first evaluation (within one 30 s interval): its link shows
      // what Prometheus makes of the runbook_url template with the external label the script set.
      const watchdog = async () =>
        (await json<AlertsResponse>(`${prometheusUrl}/api/v1/alerts`)).data.alerts.find((alert) => alert.labels.alertname === 'Watchdog');
      const firstEvaluation = Date.now() + 60_000;
      let firing = await watchdog();
      while (firing === undefined && Date.now() < firstEvaluation) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        firing = await watchdog();
      }
      expect(RUNBOOK_BASE_URL).toMatch(/^https:\/\//);
      expect(firing?.annotations.runbook_url).toBe(`${RUNBOOK_BASE_URL}/Watchdog.md`);

      // k6's remote-write output (loadtest/README.md) is let in: an empty write is refused as malformed (400), not as
      // a disabled receiver (404).
      const write = await fetch(`${prometheusUrl}/api/v1/write`, { method: 'POST', body: '', signal: AbortSignal.timeout(5_000) });
      expect(write.status).toBe(400);

      const ready = await fetch(`${alertmanagerUrl}/-/ready`, { signal: AbortSignal.timeout(5_000) });
      expect(ready.status).toBe(200);

      const down = await runScript(DOWN_SCRIPT, ['--data-dir', dataDir], workDir, {});
      expect(down.code).toBe(0);
      for (const daemon of DAEMONS) expect(down.stdout).toContain(`stopped ${daemon}`);
      expect(pids.filter(isRunning)).toEqual([]);
      for (const daemon of DAEMONS) expect(fs.existsSync(path.join(dataDir, `${daemon}.pid`))).toBe(false);
      // The app is not among what monitoring-up started.
      expect([app.child.exitCode, app.child.signalCode]).toEqual([null, null]);
    }, 150_000);
  },
);

describeWithService('shellcheck', findProgram('shellcheck') !== undefined, 'the monitoring scripts pass shellcheck', () => {
  it('finds nothing in monitoring-up.sh and monitoring-down.sh', async () => {
    const result = await new Promise<ScriptResult>((resolve) => {
      execFile(findProgram('shellcheck')!, [UP_SCRIPT, DOWN_SCRIPT], (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
