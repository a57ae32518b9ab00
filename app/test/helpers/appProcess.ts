import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export interface AppProcess {
  child: ChildProcess;
  port: number;
  url: string;
  dir: string;
  /** Every JSON line the process printed so far. */
  lines(): Array<Record<string, unknown>>;
  waitForLine(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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

/** The server entry point: the TypeScript source through tsx, or app/dist as `npm start` runs it (built first). */
function entryArgs(built: boolean): string[] {
  return built ? [path.join(ROOT, 'app/dist/server.js')] : ['-r', require.resolve('tsx/cjs'), path.join(ROOT, 'app/src/server.ts')];
}

/** Starts the real server entry point as its own process. */
export async function startAppProcess(
  env: Record<string, string> = {},
  options: { port?: number; dir?: string; awaitStartup?: boolean; built?: boolean } = {},
): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-proc-'));
  const child = spawn(process.execPath, entryArgs(options.built ?? false), {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: String(port),
      BIND_ADDRESS: '127.0.0.1',
      DATABASE_NAME: path.join(dir, 'todobox.db'),
      LOG_DIR: path.join(dir, 'logs'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const parsed: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) {
      try {
        parsed.push(JSON.parse(part));
      } catch {
        parsed.push({ raw: part });
      }
    }
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const waitForLine: AppProcess['waitForLine'] = (predicate, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`Timed out waiting for a log line; saw:\n${parsed.map((l) => JSON.stringify(l)).join('\n')}`)), timeoutMs);
      const check = () => {
        const found = parsed.find(predicate);
        if (found) {
          clearTimeout(deadline);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });

  const app: AppProcess = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    lines: () => parsed,
    waitForLine,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.awaitStartup ?? true) await waitForLine((line) => line.message === 'TodoBox startup');
  return app;
}
