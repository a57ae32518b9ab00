import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DOUBLES = path.join(__dirname, 'doubles');

describe('the systemd and sudo doubles of the scratch deployment', () => {
  let root: string;
  let env: Record<string, string>;

  const run = (tool: string, ...args: string[]) => {
    const result = spawnSync(path.join(DOUBLES, tool), args, { env, encoding: 'utf8' });
    return { status: result.status, out: result.stdout, err: result.stderr };
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-doubles-'));
    fs.mkdirSync(path.join(root, 'journal'));
    fs.writeFileSync(path.join(root, 'journal/todobox.log'), 'TodoBox failed to start: connect ECONNREFUSED\n{"level":"info"}\n');
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TODOBOX_SCRATCH: root,
      TODOBOX_SCRATCH_APP: root,
      TODOBOX_SCRATCH_ENV_FILE: path.join(root, 'todobox.env'),
      TODOBOX_SCRATCH_PORT: '1',
    };
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reports a stopped todobox unit as systemd does, with exit code 3 and its last journal lines', () => {
    expect(run('systemctl', 'status', 'todobox')).toEqual({
      status: 3,
      out: expect.stringMatching(/Active: inactive \(dead\)\n[\s\S]*ECONNREFUSED/),
      err: '',
    });
    expect(run('systemctl', 'is-active', 'todobox.service')).toEqual({ status: 3, out: 'inactive\n', err: '' });
    expect(run('systemctl', 'stop', 'todobox').status).toBe(0);
  });

  it('refuses units the scratch deployment does not have, with systemd\'s exit code 5', () => {
    expect(run('systemctl', 'status', 'redis-server')).toEqual({ status: 5, out: '', err: expect.stringContaining('redis-server.service could not be found') });
  });

  it('prints the journal with a prefix, or bare with -o cat, and refuses --follow', () => {
    expect(run('journalctl', '-u', 'todobox', '-n', '1', '--no-pager').out).toMatch(/^\S+ todobox\[scratch\]: \{"level":"info"\}\n$/);
    expect(run('journalctl', '-u', 'todobox', '--since', '-30 min', '-o', 'cat').out).toBe('TodoBox failed to start: connect ECONNREFUSED\n{"level":"info"}\n');
    expect(run('journalctl', '-u', 'todobox-backup.service').out).toBe('-- No entries --\n');
    expect(run('journalctl', '-u', 'todobox', '-f').status).toBe(2);
  });

  it('runs the command after sudo\'s options as it is', () => {
    expect(run('sudo', '-u', 'todobox', 'sh', '-c', 'echo "$0 ran"')).toEqual({ status: 0, out: 'sh ran\n', err: '' });
  });
});
