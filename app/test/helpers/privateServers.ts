import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './appProcess';

/**
 * Database and Redis servers of a test's own, on free ports and temporary folders, so a test may
 * stop and restart them to inject an outage without touching the machine's shared services.
 */
export interface PrivateServer {
  port: number;
  dir: string;
  /** The settings that point the app at this server. */
  env: Record<string, string>;
  isRunning(): boolean;
  /** Stops the server (SIGTERM: a clean shutdown, SIGKILL: a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Freezes the running server (SIGSTOP): connections stay open and nothing is answered, until thaw(). */
  freeze(): void;
  /** Lets a frozen server run on (SIGCONT). */
  thaw(): void;
  /** Starts it again on the same port and data folder. */
  restart(): Promise<void>;
  /** Stops it if running and removes its folder. */
  remove(): Promise<void>;
}

const SYSTEM_BIN_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** The full path of a program, looked up in PATH and the system folders (mariadbd lives in sbin). */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...SYSTEM_BIN_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function privateMariaDbAvailable(): boolean {
  return ['mariadbd', 'mariadb-install-db', 'mariadb'].every((name) => findProgram(name) !== undefined);
}

export function privateRedisAvailable(): boolean {
  return findProgram('redis-server') !== undefined;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitUntil(what: string, ready: () => Promise<boolean>, child: ChildProcess, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited while starting:\n${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : ''}`);
    }
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms`);
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A server process started, stopped and restarted with the same command. */
function supervised(options: {
  name: string;
  port: number;
  dir: string;
  env: Record<string, string>;
  command: string;
  args: string[];
  logFile: string;
  ready: () => Promise<boolean>;
}): PrivateServer & { start(): Promise<void> } {
  let child: ChildProcess | undefined;
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const server = {
    port: options.port,
    dir: options.dir,
    env: options.env,
    isRunning,
    async start() {
      const log = fs.openSync(options.logFile, 'a');
      child = spawn(options.command, options.args, { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      await waitUntil(options.name, options.ready, child, options.logFile);
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!child || !isRunning()) return;
      const exited = exitOf(child);
      child.kill(signal);
      await exited;
      // The port is free only once the kernel has let go of the listening socket.
      while (await canConnect(options.port)) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    freeze() {
      if (isRunning()) child!.kill('SIGSTOP');
    },
    thaw() {
      if (isRunning()) child!.kill('SIGCONT');
    },
    async restart() {
      await server.stop();
      await server.start();
    },
    async remove() {
      await server.stop('SIGKILL');
      fs.rmSync(options.dir, { recursive: true, force: true });
    },
  };
  return server;
}

function runOrThrow(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/**
 * A MariaDB server of its own: a fresh data folder (mariadb-install-db), root over its own unix
 * socket, and a `todobox` user and database reachable over TCP on a free port.
 */
export async function startPrivateMariaDb(database = 'todobox'): Promise<PrivateServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-mariadb-'));
  const dataDir = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  runOrThrow(
    findProgram('mariadb-install-db')!,
    ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db'],
    'mariadb-install-db',
  );
  const server = supervised({
    name: 'mariadbd',
    port,
    dir,
    env: { DATABASE_DEFAULT: 'mysql', DB_URL: '127.0.0.1', DB_PORT: String(port), DB_USER: 'todobox', DB_PW: 'todobox', DB_NAME: database },
    command: findProgram('mariadbd')!,
    args: [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--port=${port}`,
      `--socket=${socket}`,
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      '--skip-networking=0',
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      `--log-error=${path.join(dir, 'error.log')}`,
    ],
    logFile: path.join(dir, 'server.log'),
    ready: async () => fs.existsSync(socket) && (await canConnect(port)),
  });
  await server.start();
  runOrThrow(
    findProgram('mariadb')!,
    [
      '--no-defaults',
      `--socket=${socket}`,
      '-uroot',
      '-e',
      `CREATE DATABASE ${database}; CREATE USER 'todobox'@'127.0.0.1' IDENTIFIED BY 'todobox'; GRANT ALL ON ${database}.* TO 'todobox'@'127.0.0.1';`,
    ],
    'Creating the todobox user',
  );
  return server;
}

/** A Redis server of its own on a free port, keeping nothing on disk. */
export async function startPrivateRedis(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-redis-'));
  const server = supervised({
    name: 'redis-server',
    port,
    dir,
    env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    command: findProgram('redis-server')!,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir],
    logFile: path.join(dir, 'server.log'),
    ready: () => canConnect(port),
  });
  await server.start();
  return server;
}
