import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface MachineDescription {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  loadGenerator: string;
  /** The measured checkout's commit, with "+changes" when its tree differed from it. */
  commit: string;
  date: string;
}

function quietly(command: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    // wrk -v prints its version and exits 1.
    const output = (error as { stdout?: string }).stdout;
    return typeof output === 'string' ? output.trim() : '';
  }
}

function operatingSystem(): string {
  try {
    const release = fs.readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(release)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

export function describeMachine(root: string, loadGenerator: string): MachineDescription {
  const commit = quietly('git', ['rev-parse', '--short', 'HEAD'], root) || 'unknown';
  const changed = quietly('git', ['status', '--porcelain', '--untracked-files=no'], root) !== '';
  const generatorVersion =
    loadGenerator === 'wrk'
      ? quietly('wrk', ['-v']).split('\n')[0].replace(/ Copyright.*/, '')
      : `autocannon ${(JSON.parse(fs.readFileSync(require.resolve('autocannon/package.json'), 'utf8')) as { version: string }).version}`;
  return {
    cpu: os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: operatingSystem(),
    kernel: os.release(),
    node: process.version,
    loadGenerator: generatorVersion || loadGenerator,
    commit: changed ? `${commit}+changes` : commit,
    date: new Date().toISOString(),
  };
}
