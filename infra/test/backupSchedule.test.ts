import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './deployFacts';

/** scripts/backup-daily.sh, the backup container's loop, run for real with a CLI that records its calls. */

const SCRIPT = path.join(ROOT, 'scripts/backup-daily.sh');
const WAIT_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** HH:MM:SS in UTC, `seconds` from now. */
function timeOfDayIn(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString().slice(11, 19);
}

describe('scripts/backup-daily.sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-backup-daily-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('backs up at start, then at BACKUP_AT, and goes on after a failed run', async () => {
    // A minute of margin before midnight, where "today at" would fall on the next day.
    const secondsToMidnight = 86_400 - ((Date.now() / 1000) % 86_400);
    if (secondsToMidnight < 60) await sleep(secondsToMidnight * 1000 + 1_000);
    const calls = path.join(dir, 'calls');
    // The stand-in CLI succeeds the first time and fails the second.
    const cli = path.join(dir, 'todobox.sh');
    fs.writeFileSync(cli, `echo "$@" >> ${calls}\n[ "$(wc -l < ${calls})" -eq 1 ]\n`);
    const at = timeOfDayIn(4);
    // A group of its own: the loop's `sleep` goes with it at the end.
    const loop = spawn('sh', [SCRIPT], { env: { PATH: process.env.PATH, TZ: 'UTC', BACKUP_AT: at, TODOBOX_CLI: `sh ${cli}` }, detached: true });
    let stdout = '';
    let stderr = '';
    loop.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    loop.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const deadline = Date.now() + WAIT_MS;
      const count = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n').length : 0);
      while ((count() < 2 || !stderr.includes('backup failed')) && Date.now() < deadline) await sleep(200);
      expect(fs.readFileSync(calls, 'utf8')).toBe('backup\nbackup\n');
      expect(stdout).toContain(`backup done; the next one at ${at}`);
      expect(stderr).toContain(`backup failed (exit 1); the next one at ${at}`);
      expect(loop.exitCode).toBeNull();
    } finally {
      process.kill(-(loop.pid as number), 'SIGKILL');
    }
  }, 40_000);

  it('refuses a BACKUP_AT that is no time of day, naming it', () => {
    const result = spawnSync('sh', [SCRIPT], { env: { PATH: process.env.PATH, BACKUP_AT: 'soonish', TODOBOX_CLI: 'false' }, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('BACKUP_AT must be a time of day such as 02:00 (got "soonish")');
  });
});
