import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadSummary } from '../scenarios';

const ROOT = path.resolve(__dirname, '../..');

export interface RunnerRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The JSON summary it wrote, if it wrote one. */
  summary?: LoadSummary;
  /** The files it wrote in its summary folder. */
  files: string[];
}

/**
 * `npm run loadtest -- <args>` as its own process (tsx, as the npm script runs it), with only `env`
 * besides PATH; `signal` is sent to it once it has printed `signal.after` on stderr.
 */
export function runRunner(args: string[], env: Record<string, string>, timeoutMs = 150_000, signal?: { name: NodeJS.Signals; after: string }): Promise<RunnerRun> {
  const summaryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-loadtest-'));
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['-r', require.resolve('tsx/cjs'), path.join(ROOT, 'loadtest/runner/main.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, SUMMARY_DIR: summaryDir, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const files = fs.readdirSync(summaryDir).sort();
        const json = files.find((file) => file.endsWith('-summary.json'));
        const summary = json ? (JSON.parse(fs.readFileSync(path.join(summaryDir, json), 'utf8')) as LoadSummary) : undefined;
        fs.rmSync(summaryDir, { recursive: true, force: true });
        resolve({ code, stdout, stderr, summary, files });
      },
    );
    if (signal) {
      let seen = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        if (seen.includes(signal.after)) return;
        seen += chunk.toString('utf8');
        if (seen.includes(signal.after)) setTimeout(() => child.kill(signal.name), 2_000);
      });
    }
  });
}
