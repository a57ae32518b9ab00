import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Answer } from './browser';
import { request } from './browser';
import type { CeilingResponse, CeilingResponses } from './ceilingServer';
import { processTree } from './processStats';

export interface RunningServer {
  url: string;
  pid: number;
  /** The processes that serve requests: the workers of a cluster, or the one process. */
  servingPids(): number[];
  /** Every process of the server, primary included. */
  allPids(): number[];
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const forced = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(forced);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function runningServer(child: ChildProcess, url: string): RunningServer {
  const allPids = () => processTree(child.pid!);
  return {
    url,
    pid: child.pid!,
    allPids,
    servingPids: () => {
      const pids = allPids();
      return pids.length > 1 ? pids.slice(1) : pids;
    },
    stop: () => stopChild(child),
  };
}

/** Fresh production secrets for one run: the app refuses to start in production without them. */
export function benchSecrets(): Record<string, string> {
  return { SECRET_KEY: randomBytes(32).toString('hex'), SALT: randomBytes(16).toString('hex') };
}

export interface AppLaunch {
  /** The checkout whose app/dist/server.js runs. */
  root: string;
  /** Working folder: the SQLite file, the log folder and the process's output go here. */
  dir: string;
  env: Record<string, string>;
  workers: number;
  /** Extra node options, such as --cpu-prof. */
  nodeArgs?: string[];
}

/** The app under test, which can also print the token its /setup asks for in production. */
export interface RunningApp extends RunningServer {
  /** What `todobox setup:token` prints for this app; empty for a checkout whose /setup asks for none. */
  setupToken(): string;
}

function launchEnvironment(launch: AppLaunch, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    BIND_ADDRESS: '127.0.0.1',
    LOG_DIR: path.join(launch.dir, 'logs'),
    WEB_CONCURRENCY: String(launch.workers),
    ...launch.env,
  };
}

function setupTokenOf(launch: AppLaunch, env: NodeJS.ProcessEnv): string {
  const cli = spawnSync(process.execPath, [path.join(launch.root, 'bin/todobox.js'), 'setup:token'], { cwd: launch.dir, env, encoding: 'utf8' });
  return cli.status === 0 ? cli.stdout.trim() : '';
}

/**
 * Starts the built app as production runs it (`node app/dist/server.js`, NODE_ENV=production),
 * in its own folder so no `.env` of the checkout applies, and waits until /readyz answers 200.
 */
export async function startApp(launch: AppLaunch): Promise<RunningApp> {
  const port = await freePort();
  fs.mkdirSync(launch.dir, { recursive: true });
  const output = fs.openSync(path.join(launch.dir, 'app-output.log'), 'a');
  const child = spawn(process.execPath, [...(launch.nodeArgs ?? []), path.join(launch.root, 'app/dist/server.js')], {
    cwd: launch.dir,
    env: launchEnvironment(launch, port),
    stdio: ['ignore', output, output],
  });
  fs.closeSync(output);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = fs.readFileSync(path.join(launch.dir, 'app-output.log'), 'utf8').split('\n').slice(-20).join('\n');
      throw new Error(`The app exited with ${child.exitCode} before it was ready:\n${log}`);
    }
    const ready = await request(url, { path: '/readyz', timeoutMs: 2_000 }).then(
      (answer) => answer.status === 200,
      () => false,
    );
    if (ready && (launch.workers === 1 || processTree(child.pid!).length > launch.workers)) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`The app did not become ready within 60 s (see ${launch.dir}/app-output.log)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { ...runningServer(child, url), setupToken: () => setupTokenOf(launch, launchEnvironment(launch, port)) };
}

const HOP_BY_HOP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** An answer of the app as the ceiling server replays it. */
export function ceilingResponse(answer: Answer): CeilingResponse {
  const headers = Object.fromEntries(
    Object.entries(answer.headers).filter(([name, value]) => !HOP_BY_HOP.has(name) && value !== undefined),
  ) as Record<string, string | string[]>;
  return { status: answer.status, headers, bodyBase64: answer.body.toString('base64') };
}

/** Starts the bare node:http server that answers with `responses`, in `processes` processes. */
export async function startCeiling(dir: string, responses: CeilingResponses, processes: number): Promise<RunningServer> {
  const port = await freePort();
  const file = path.join(dir, `ceiling-${port}.json`);
  fs.writeFileSync(file, JSON.stringify(responses));
  const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(__dirname, 'ceilingServer.ts'), file, String(port), String(processes)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The ceiling server did not start within 20 s')), 20_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`The ceiling server exited with ${code}`)));
  });
  return runningServer(child, `http://127.0.0.1:${port}`);
}
