import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const RSYSLOG_DIR = path.resolve(__dirname, '../rsyslog');

export const rsyslogAvailable = spawnSync('rsyslogd', ['-v'], { stdio: 'ignore' }).status === 0;

/** rsyslogd refuses nothing to root; the tests run it as `nobody` when they run as root, as an operator's unprivileged copy would. */
const NOBODY = 65534;
const runAs = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};

/**
 * The group rsyslogd runs with here. A daemon that is not root may give its files only a group it
 * belongs to, so a test points the shipped fileGroup (adm) at this one.
 */
export const RSYSLOG_GROUP_ID = runAs.gid ?? process.getgid?.() ?? 0;

/** Hands a test's folder (and what the daemon must write in it) to the user rsyslogd runs as. */
export function giveToRsyslog(...paths: string[]): void {
  if (runAs.uid === undefined) return;
  for (const target of paths) fs.chownSync(target, NOBODY, NOBODY);
}

/** The settings every host gets once, beside its forwarding or receiving file. */
const GLOBAL_CONFIG = 'todobox-global.conf';

/**
 * One shipped config as a test runs it, included after the shipped global settings as
 * /etc/rsyslog.d/ would: each of `replacements` (a value of the shipped file, and the test's own)
 * must occur in the file, so a changed config fails loudly instead of being tested half-replaced;
 * the daemon's state goes to `workDir`. Returns the main config to start rsyslogd with.
 */
export function testConfig(shipped: string, workDir: string, replacements: Array<[string, string]>): string {
  let text = fs.readFileSync(path.join(RSYSLOG_DIR, shipped), 'utf8');
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${shipped} no longer contains ${from}`);
    text = text.split(from).join(to);
  }
  const included = [GLOBAL_CONFIG, shipped].map((name) => path.join(workDir, name));
  fs.copyFileSync(path.join(RSYSLOG_DIR, GLOBAL_CONFIG), included[0]);
  fs.writeFileSync(included[1], text);
  const main = path.join(workDir, 'rsyslog.conf');
  fs.writeFileSync(main, [`global(workDirectory="${workDir}")`, ...included.map((file) => `include(file="${file}")`), ''].join('\n'));
  giveToRsyslog(main, ...included);
  return main;
}

/** `rsyslogd -N1`: the config check, which reports what a running daemon would only log and skip. */
export function checkConfig(config: string): { status: number | null; output: string } {
  const result = spawnSync('rsyslogd', ['-N1', '-f', config], { encoding: 'utf8', ...runAs });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export interface Rsyslogd {
  output(): string;
  stop(): Promise<void>;
}

/** A foreground rsyslogd on `config`, with its pid file in `workDir`. */
export function startRsyslogd(config: string, workDir: string): Rsyslogd {
  const child: ChildProcess = spawn('rsyslogd', ['-n', '-f', config, '-i', path.join(workDir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...runAs,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
