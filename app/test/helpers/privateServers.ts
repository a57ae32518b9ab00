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
  /** Where the server writes what it logs. */
  logFile: string;
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

/** A private database server, with its superuser reachable over the server's own socket. */
export interface PrivateDatabaseServer extends PrivateServer {
  /** Runs each statement as the server's superuser (root, postgres), as an operator with a shell on the host would. */
  runAsSuperuser(statements: string[]): void;
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
    logFile: options.logFile,
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
export async function startPrivateMariaDb(
  database = 'todobox',
  options: { tls?: ServerCertificate; binaryLog?: boolean } = {},
): Promise<PrivateDatabaseServer> {
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
      ...(options.binaryLog ? [`--log-bin=${path.join(dir, 'binlog')}`, '--server-id=1'] : ['--skip-log-bin']),
      '--innodb-buffer-pool-size=32M',
      `--log-error=${path.join(dir, 'error.log')}`,
      // With a certificate, the server takes TLS connections only.
      ...(options.tls
        ? [`--ssl-ca=${options.tls.caFile}`, `--ssl-cert=${options.tls.certFile}`, `--ssl-key=${options.tls.keyFile}`, '--require-secure-transport=ON']
        : []),
    ],
    logFile: path.join(dir, 'server.log'),
    ready: async () => fs.existsSync(socket) && (await canConnect(port)),
  });
  const runAsSuperuser = (statements: string[]) =>
    runOrThrow(findProgram('mariadb')!, ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', statements.join('; ')], statements.join('; '));
  await server.start();
  runAsSuperuser([`CREATE DATABASE ${database}`, "CREATE USER 'todobox'@'127.0.0.1' IDENTIFIED BY 'todobox'", `GRANT ALL ON ${database}.* TO 'todobox'@'127.0.0.1'`]);
  return { ...server, runAsSuperuser };
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

/** A CA of the test's own and a server certificate it signed, for 127.0.0.1 and localhost. */
export interface ServerCertificate {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function makeServerCertificate(dir: string): ServerCertificate {
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => runOrThrow('openssl', args, `openssl ${args[0]}`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=TodoBox test CA', '-keyout', file('ca-key.pem'), '-out', file('ca.pem')]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('server-key.pem'), '-out', file('server.csr')]);
  fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-CAcreateserial', '-days', '2',
    '-extfile', file('server.ext'), '-out', file('server.pem')]);
  return { caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server-key.pem') };
}

/** The folder of PostgreSQL's server programs (initdb, postgres), which Debian keeps off PATH. */
function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).filter((version) => fs.existsSync(path.join(root, version, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

export function privatePostgresAvailable(): boolean {
  return postgresBinDir() !== undefined && (process.getuid?.() !== 0 || findProgram('setpriv') !== undefined);
}

/**
 * A PostgreSQL server of its own on a free port, with a `todobox` user and database. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` user (setpriv execs it, so signals
 * reach the server itself). With a certificate it takes TLS connections only; `settings` are further
 * postgresql.conf lines.
 */
export async function startPrivatePostgres(database = 'todobox', options: { tls?: ServerCertificate; settings?: string[] } = {}): Promise<PrivateDatabaseServer> {
  const bin = postgresBinDir()!;
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-postgres-'));
  const dataDir = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()) : undefined;
  const asServerUser = (command: string, args: string[]): [string, string[]] =>
    asRoot ? [findProgram('setpriv')!, ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]] : [command, args];
  if (owner !== undefined) fs.chownSync(dir, owner, owner);
  runOrThrow(...asServerUser(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8']), 'initdb');
  const settings = [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'fsync = off', ...(options.settings ?? [])];
  const hba = ['local all all trust'];
  if (options.tls) {
    // The server's key must belong to the server's user and be readable by it alone.
    for (const name of ['server.pem', 'server-key.pem', 'ca.pem']) {
      const copy = path.join(dir, name);
      fs.copyFileSync(path.join(path.dirname(options.tls.certFile), name), copy);
      fs.chmodSync(copy, 0o600);
      if (owner !== undefined) fs.chownSync(copy, owner, owner);
    }
    settings.push('ssl = on', `ssl_cert_file = '${path.join(dir, 'server.pem')}'`, `ssl_key_file = '${path.join(dir, 'server-key.pem')}'`);
    hba.push('hostssl all all 127.0.0.1/32 scram-sha-256', 'hostnossl all all 127.0.0.1/32 reject');
  } else {
    hba.push('host all all 127.0.0.1/32 scram-sha-256');
  }
  fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
  fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), `${hba.join('\n')}\n`);
  const [command, args] = asServerUser(path.join(bin, 'postgres'), ['-D', dataDir]);
  const server = supervised({
    name: 'postgres',
    port,
    dir,
    env: { DATABASE_DEFAULT: 'postgres', DB_URL: '127.0.0.1', DB_PORT: String(port), DB_USER: 'todobox', DB_PW: 'todobox', DB_NAME: database },
    command,
    args,
    logFile: path.join(dir, 'server.log'),
    // Accepting connections, not only listening: a starting server answers "starting up" to queries.
    ready: async () => spawnSync(path.join(bin, 'pg_isready'), ['-q', '-h', dir, '-p', String(port)]).status === 0,
  });
  const runAsSuperuser = (statements: string[]) =>
    runOrThrow(
      ...asServerUser(findProgram('psql')!, ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', ...statements.flatMap((sql) => ['-c', sql])]),
      statements.join('; '),
    );
  await server.start();
  runAsSuperuser(["CREATE ROLE todobox LOGIN PASSWORD 'todobox'", `CREATE DATABASE ${database} OWNER todobox`]);
  return { ...server, runAsSuperuser };
}
