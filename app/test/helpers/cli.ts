import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/program';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A terminal in front of the command: the passwords typed at each prompt and the answer to a confirmation. */
export interface Terminal {
  passwords?: string[];
  confirm?: boolean;
}

/** Runs the todobox command line in-process, with no terminal unless one is given, and collects what it says. */
export async function todobox(args: string[], env: Record<string, string>, terminal?: Terminal): Promise<CliRun> {
  const output = { stdout: '', stderr: '' };
  const answers = [...(terminal?.passwords ?? [])];
  const io: CliIo = {
    env,
    readDotenv: false,
    interactive: terminal !== undefined,
    out: (text) => (output.stdout += text),
    err: (text) => (output.stderr += text),
    promptPassword: async () => answers.shift() ?? '',
    confirm: async () => terminal?.confirm ?? false,
  };
  const code = await runCli(['node', 'todobox', ...args], io);
  return { code, ...output };
}

const PROJECT_ROOT = path.resolve(__dirname, '../../..');

export interface TimedCliRun extends CliRun {
  elapsedMs: number;
}

/** Compiles app/dist as `npm start` does (tsc rebuilds only what a newer source needs), for tests that run the installed command or server. */
export function buildApp(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.json'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
}

/**
 * Runs the installed command (bin/todobox.js, from app/dist) as its own process with exactly `env`, in
 * `cwd` (so no .env of the checkout is read), and measures how long it took, process start included.
 */
export function todoboxProcess(args: string[], env: Record<string, string>, cwd: string): Promise<TimedCliRun> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(PROJECT_ROOT, 'bin/todobox.js'), ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - startedAt });
    });
  });
}
