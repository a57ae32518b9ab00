import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shellBlocks } from './markdownBlocks';
import { deploymentSubstitutions, fillIn, runBlocks } from './runPage';
import { ScratchDeployment } from './scratchDeployment';

/** Only what runBlocks reads of a deployment: its folder and the environment of the blocks. */
function bareDeployment(root: string): ScratchDeployment {
  return { root, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root } } as unknown as ScratchDeployment;
}

describe('running the tested blocks of a page', () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-runpage-'));
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('runs the blocks in one shell, in order, so a variable or a cd carries over', () => {
    const page = ['```bash tested', 'mkdir here && cd here', 'NOTED=first', '```', '', '```bash tested', 'echo "$NOTED in ${PWD##*/}"', '```', ''].join('\n');
    const result = runBlocks(bareDeployment(root), 'page.md', shellBlocks(page), [], 10_000);
    expect(result).toEqual({ outputs: ['', 'first in here\n'] });
  });

  it('names the block whose command failed, even inside a pipeline, and keeps the output before it', () => {
    const page = ['```bash tested', 'echo one', '```', '```bash tested', 'echo two', 'false | cat', 'echo never', '```', '```bash tested', 'echo three', '```', ''].join('\n');
    const result = runBlocks(bareDeployment(root), 'page.md', shellBlocks(page), [], 10_000);
    expect(result.failure).toEqual({ block: 2, status: 1, signal: null });
    expect(result.outputs).toEqual(['one\n', 'two\n']);
  });

  it('fills in the page\'s names before the production paths, everywhere they occur', () => {
    const deployment = { app: '/tmp/x/www/todobox', envFile: '/tmp/x/etc/todobox.env', backups: '/tmp/x/backups', port: 4321 } as ScratchDeployment;
    const text = "sudo tar -czf /var/backups/todobox/a.tar.gz -C / var/www/todobox/instance\ncd /var/www/todobox && curl http://127.0.0.1:9191/readyz; . /etc/todobox/todobox.env";
    expect(fillIn(text, [['a.tar.gz', 'b.tar.gz'], ...deploymentSubstitutions(deployment)])).toBe(
      'sudo tar -czf /tmp/x/backups/b.tar.gz -C /tmp/x/www todobox/instance\ncd /tmp/x/www/todobox && curl http://127.0.0.1:4321/readyz; . /tmp/x/etc/todobox.env',
    );
  });
});
