import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * The k6 scripts are type-checked against k6's API (@types/k6) with no Node types and no DOM, so a
 * Node-only API cannot slip into a script k6 is to run; the shared scenarios with no runtime's types at all.
 */

const ROOT = path.resolve(__dirname, '../..');
const TSC = require.resolve('typescript/bin/tsc');

function typecheck(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '--noEmit', '-p', project], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('the load test sources type-check', () => {
  it.each(['loadtest/k6/tsconfig.json', 'loadtest/scenarios/tsconfig.json'])('%s', async (project) => {
    expect(await typecheck(project)).toEqual({ code: 0, output: '' });
  });
});
