import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

describe('the todobox command writing into a pipe its reader has closed', () => {
  // The command runs from app/dist, as installed: tsc builds it only when a source is newer.
  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  it('stops quietly with exit code 0, as `todobox backup --help | head -2` expects, with no stack trace', () => {
    // `head -c 1` reads one byte and closes the pipe while the help text is still being written.
    const result = spawnSync('bash', ['-c', `"${process.execPath}" bin/todobox.js backup --help | head -c 1 > /dev/null; echo "exit \${PIPESTATUS[0]}"`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(result.stderr).not.toContain('Unexpected error');
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stdout).toBe('exit 0\n');
  }, 60_000);
});
