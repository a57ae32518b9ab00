import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../app/test/helpers/appProcess';
import { findProgram, PrivateServer } from '../../app/test/helpers/privateServers';
import { writeBackupMetrics } from '../../app/src/cli/backup/backupMetrics';
import { ALERT_RULES_FILE, RECORDING_RULES_FILE } from './ruleFiles';

/**
 * Prometheus and the exporters of the production setup (monitoring/prometheus/prometheus.yml), as
 * processes of a test's own on loopback ports and temporary folders.
 */

export const MONITORING_PROGRAMS = ['prometheus', 'prometheus-node-exporter', 'prometheus-mysqld-exporter', 'prometheus-redis-exporter'];

export function monitoringProgramsAvailable(): boolean {
  return MONITORING_PROGRAMS.every((name) => findProgram(name) !== undefined);
}

export interface Daemon {
  name: string;
  /** host:port it listens on. */
  address: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts a program and waits until `readyPath` on its address answers 200. */
async function startDaemon(options: {
  name: string;
  program: string;
  args: (address: string) => string[];
  env?: Record<string, string>;
  readyPath: string;
  logDir: string;
}): Promise<Daemon> {
  const address = `127.0.0.1:${await freePort()}`;
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const log = fs.openSync(logFile, 'a');
  const child = spawn(findProgram(options.program)!, options.args(address), {
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const daemon: Daemon = {
    name: options.name,
    address,
    async stop() {
      if (exited(child)) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(killer);
    },
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(`http://${address}${options.readyPath}`))) {
    if (exited(child) || Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`${options.name} did not start:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return daemon;
}

/**
 * node_exporter with the collectors the rules and dashboards read (CPU, memory, file systems, and the
 * textfile collector for `todobox backup`'s metrics file), the others disabled to keep scrapes quick.
 * The backup file is written by the app's own writer, with a backup that finished `backupAgeSeconds` ago.
 */
export async function startNodeExporter(workDir: string, backupAgeSeconds: number): Promise<Daemon> {
  const textfileDir = path.join(workDir, 'textfile');
  await writeBackupMetrics(textfileDir, new Date(Date.now() - backupAgeSeconds * 1000), 4096);
  return startDaemon({
    name: 'node_exporter',
    program: 'prometheus-node-exporter',
    args: (address) => [
      `--web.listen-address=${address}`,
      '--collector.disable-defaults',
      '--collector.cpu',
      '--collector.meminfo',
      '--collector.filesystem',
      '--collector.textfile',
      `--collector.textfile.directory=${textfileDir}`,
    ],
    readyPath: '/metrics',
    logDir: workDir,
  });
}

const EXPORTER_USER = 'exporter';
const EXPORTER_PASSWORD = 'exporter-password';

/**
 * mysqld_exporter against a private MariaDB, with the account its documentation asks for, created
 * through the server's root socket (privateServers.ts puts it at <dir>/mysqld.sock).
 */
export async function startMysqldExporter(workDir: string, mariadb: PrivateServer): Promise<Daemon> {
  const socket = path.join(mariadb.dir, 'mysqld.sock');
  if (!fs.existsSync(socket)) throw new Error(`The private MariaDB has no root socket at ${socket}`);
  const created = spawnSync(
    findProgram('mariadb')!,
    [
      '--no-defaults',
      `--socket=${socket}`,
      '-uroot',
      '-e',
      `CREATE USER '${EXPORTER_USER}'@'127.0.0.1' IDENTIFIED BY '${EXPORTER_PASSWORD}' WITH MAX_USER_CONNECTIONS 3; ` +
        `GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO '${EXPORTER_USER}'@'127.0.0.1';`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (created.status !== 0) throw new Error(`Creating the exporter account failed:\n${created.stderr}`);
  return startDaemon({
    name: 'mysqld_exporter',
    program: 'prometheus-mysqld-exporter',
    args: (address) => [`--web.listen-address=${address}`],
    env: { DATA_SOURCE_NAME: `${EXPORTER_USER}:${EXPORTER_PASSWORD}@(127.0.0.1:${mariadb.port})/` },
    readyPath: '/metrics',
    logDir: workDir,
  });
}

export async function startRedisExporter(workDir: string, redis: PrivateServer): Promise<Daemon> {
  return startDaemon({
    name: 'redis_exporter',
    program: 'prometheus-redis-exporter',
    args: (address) => [`-web.listen-address=${address}`, `-redis.addr=redis://127.0.0.1:${redis.port}`],
    readyPath: '/metrics',
    logDir: workDir,
  });
}

export interface ScrapeTargets {
  todobox: string;
  node: string;
  mysqld: string;
  redis: string;
}

/**
 * The production configuration's jobs and the repository's rule files, scraped and evaluated every
 * second so a test of a few minutes sees what production sees over a longer time. The app is
 * scraped on its internal metrics port (METRICS_PORT), which needs no token. There is no
 * blackbox_tls job: the test app has no public HTTPS URL to probe. JSON is valid YAML.
 */
export function prometheusConfig(targets: ScrapeTargets): string {
  const job = (name: keyof ScrapeTargets) => ({ job_name: name, static_configs: [{ targets: [targets[name]] }] });
  return JSON.stringify(
    {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [RECORDING_RULES_FILE, ALERT_RULES_FILE],
      scrape_configs: [job('todobox'), job('node'), job('mysqld'), job('redis')],
    },
    null,
    2,
  );
}

export async function startPrometheus(workDir: string, targets: ScrapeTargets): Promise<Daemon> {
  const configFile = path.join(workDir, 'prometheus.yml');
  fs.writeFileSync(configFile, prometheusConfig(targets));
  return startDaemon({
    name: 'prometheus',
    program: 'prometheus',
    args: (address) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(workDir, 'tsdb')}`,
      `--web.listen-address=${address}`,
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
    logDir: workDir,
  });
}
