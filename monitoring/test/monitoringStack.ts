import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../app/test/helpers/appProcess';
import { parse } from 'yaml';
import { findProgram, PrivateDatabaseServer, PrivateServer } from '../../app/test/helpers/privateServers';
import { writeBackupMetrics } from '../../app/src/cli/backup/backupMetrics';
import { RULE_FILES } from './ruleFiles';

/**
 * Prometheus and the exporters of the production setup (monitoring/prometheus/prometheus.yml), as
 * processes of a test's own on loopback ports and temporary folders.
 */

export const MONITORING_PROGRAMS = ['prometheus', 'prometheus-node-exporter', 'prometheus-mysqld-exporter', 'prometheus-redis-exporter'];
/** What the exporter suite runs beside Prometheus. */
export const EXPORTER_PROGRAMS = ['prometheus', 'prometheus-alertmanager', 'prometheus-blackbox-exporter', 'prometheus-postgres-exporter'];

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
  /** host:port to listen on, when the caller needs it before the start (default: a free port). */
  address?: string;
}): Promise<Daemon> {
  const address = options.address ?? `127.0.0.1:${await freePort()}`;
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
  prometheus: string;
  todobox: string;
  node: string;
  mysqld: string;
  redis: string;
}

/**
 * The production configuration's jobs (Prometheus scraping itself among them, for the rules on its
 * own health) and the repository's rule files, scraped and evaluated every
 * second so a test of a few minutes sees what production sees over a longer time. The app is
 * scraped on its internal metrics port (METRICS_PORT), which needs no token. There is no
 * blackbox job: the test app has no public HTTPS URL to probe. JSON is valid YAML.
 */
export function prometheusConfig(targets: ScrapeTargets): string {
  const job = (name: keyof ScrapeTargets) => ({ job_name: name, static_configs: [{ targets: [targets[name]] }] });
  return JSON.stringify(
    {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: RULE_FILES,
      scrape_configs: [job('prometheus'), job('todobox'), job('node'), job('mysqld'), job('redis')],
    },
    null,
    2,
  );
}

export async function startPrometheus(workDir: string, targets: Omit<ScrapeTargets, 'prometheus'>): Promise<Daemon> {
  return startPrometheusWith(workDir, [], (address) => prometheusConfig({ ...targets, prometheus: address }));
}

/** Prometheus with flags and a configuration of the caller's, given the address it will listen on (for a job that scrapes Prometheus itself). */
export async function startPrometheusWith(workDir: string, flags: string[], config: (address: string) => string): Promise<Daemon> {
  const configFile = path.join(workDir, 'prometheus.yml');
  const address = `127.0.0.1:${await freePort()}`;
  fs.writeFileSync(configFile, config(address));
  return startDaemon({
    address,
    name: 'prometheus',
    program: 'prometheus',
    args: (listen) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(workDir, 'tsdb')}`,
      `--web.listen-address=${listen}`,
      '--log.level=warn',
      ...flags,
    ],
    readyPath: '/-/ready',
    logDir: workDir,
  });
}

export const ALERTMANAGER_DIR = path.resolve(__dirname, '../alertmanager');
const ALERTMANAGER_SECRETS_DIR = '/etc/prometheus/secrets/';

/**
 * Alertmanager with the repository's configuration and templates as they are, but for where the
 * secrets are read from: `secrets` (file name -> content) are written to a folder of the test's own.
 * Clustering is off (a test's instance has no peers, and the default cluster port may be taken).
 */
export async function startAlertmanager(workDir: string, secrets: Record<string, string>): Promise<Daemon> {
  const configDir = path.join(workDir, 'alertmanager');
  const secretsDir = path.join(workDir, 'secrets');
  fs.cpSync(ALERTMANAGER_DIR, configDir, { recursive: true });
  fs.mkdirSync(secretsDir, { recursive: true });
  for (const [name, content] of Object.entries(secrets)) fs.writeFileSync(path.join(secretsDir, name), `${content}\n`, { mode: 0o600 });
  const configFile = path.join(configDir, 'alertmanager.yml');
  const production = fs.readFileSync(configFile, 'utf8');
  if (!production.includes(ALERTMANAGER_SECRETS_DIR)) throw new Error(`alertmanager.yml reads no secret from ${ALERTMANAGER_SECRETS_DIR}`);
  fs.writeFileSync(configFile, production.replaceAll(ALERTMANAGER_SECRETS_DIR, `${secretsDir}/`));
  return startDaemon({
    name: 'alertmanager',
    program: 'prometheus-alertmanager',
    args: (address) => [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(workDir, 'alertmanager-data')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
    logDir: workDir,
  });
}

export const BLACKBOX_CONFIG_FILE = path.resolve(__dirname, '../blackbox/blackbox.yml');

/**
 * blackbox_exporter with the shipped modules; `caFile` is added to the trust of http_2xx, as a
 * deployment behind a private CA would add it, so a test's own certificate verifies.
 */
export async function startBlackboxExporter(workDir: string, caFile: string): Promise<Daemon> {
  const shipped = parse(fs.readFileSync(BLACKBOX_CONFIG_FILE, 'utf8')) as { modules: Record<string, { http?: Record<string, unknown> }> };
  const module = shipped.modules.http_2xx;
  if (!module?.http) throw new Error('blackbox.yml has no http_2xx module');
  module.http.tls_config = { ca_file: caFile };
  const configFile = path.join(workDir, 'blackbox.yml');
  fs.writeFileSync(configFile, JSON.stringify(shipped, null, 2));
  return startDaemon({
    name: 'blackbox_exporter',
    program: 'prometheus-blackbox-exporter',
    args: (address) => [`--config.file=${configFile}`, `--web.listen-address=${address}`, '--log.level=warn'],
    readyPath: '/metrics',
    logDir: workDir,
  });
}

/** postgres_exporter against a private PostgreSQL, as a role granted pg_monitor (what its documentation asks for). */
export async function startPostgresExporter(workDir: string, postgres: PrivateDatabaseServer): Promise<Daemon> {
  postgres.runAsSuperuser([`CREATE ROLE ${EXPORTER_USER} LOGIN PASSWORD '${EXPORTER_PASSWORD}' CONNECTION LIMIT 3`, `GRANT pg_monitor TO ${EXPORTER_USER}`]);
  return startDaemon({
    name: 'postgres_exporter',
    program: 'prometheus-postgres-exporter',
    args: (address) => [`--web.listen-address=${address}`],
    env: { DATA_SOURCE_NAME: `postgresql://${EXPORTER_USER}:${EXPORTER_PASSWORD}@127.0.0.1:${postgres.port}/postgres?sslmode=disable` },
    readyPath: '/metrics',
    logDir: workDir,
  });
}
