import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FencedBlock } from './markdownBlocks';
import { ScratchDeployment } from './scratchDeployment';

/** What a page names on a production host, and what stands for it on the scratch deployment, in order. */
export type Substitutions = Array<[string, string]>;

export interface PageRun {
  /** The output of every block, in order. */
  outputs: string[];
  /** The 1-based number of the block that failed, with its exit status. */
  failure?: { block: number; status: number | null; signal: NodeJS.Signals | null };
}

/** The production paths every page uses; a page's own substitutions are applied before these. */
export function deploymentSubstitutions(deployment: ScratchDeployment): Substitutions {
  return [
    // tar -C / var/www/todobox: the archive holds the path below the root folder
    ['-C / var/www/todobox', `-C ${path.dirname(deployment.app)} todobox`],
    ['/var/www/todobox', deployment.app],
    ['/etc/todobox/todobox.env', deployment.envFile],
    ['/var/backups/todobox', deployment.backups],
    ['127.0.0.1:9191', `127.0.0.1:${deployment.port}`],
  ];
}

export function fillIn(body: string, substitutions: Substitutions): string {
  return substitutions.reduce((text, [from, to]) => text.split(from).join(to), body);
}

const MARKER = '::runbook-block';

/**
 * Runs the blocks in one bash, as an operator's terminal does (a `cd` or a variable carries over to the
 * next block), stopping at the first command that fails (errexit, pipefail).
 */
export function runBlocks(deployment: ScratchDeployment, name: string, blocks: FencedBlock[], substitutions: Substitutions, timeoutMs: number): PageRun {
  const dir = fs.mkdtempSync(path.join(deployment.root, `${name.replace(/\W/g, '_')}-`));
  const current = path.join(dir, 'current-block');
  const driver = ['exec 2>&1', 'set -eo pipefail', `cd ${JSON.stringify(deployment.root)}`];
  blocks.forEach((block, index) => {
    const file = path.join(dir, `block-${index + 1}.sh`);
    fs.writeFileSync(file, fillIn(block.body, substitutions));
    driver.push(`echo ${index + 1} > ${JSON.stringify(current)}`, `echo '${MARKER} ${index + 1}'`, `. ${JSON.stringify(file)}`);
  });
  const result = spawnSync('bash', ['-c', driver.join('\n')], { cwd: deployment.root, env: deployment.env, encoding: 'utf8', timeout: timeoutMs });
  const outputs = result.stdout.split(new RegExp(`^${MARKER} \\d+\\n`, 'm')).slice(1);
  if (result.status === 0) return { outputs };
  const block = Number(fs.existsSync(current) ? fs.readFileSync(current, 'utf8') : 0);
  return { outputs, failure: { block, status: result.status, signal: result.signal } };
}
