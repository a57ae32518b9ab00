import { spawn } from 'node:child_process';
import path from 'node:path';
import type { LoadFigures, LoadGenerator, LoadRun } from './loadGenerator';

/** autocannon, for machines without wrk: run in a child process of its own. */
export function autocannonGenerator(): LoadGenerator {
  return {
    name: 'autocannon',
    run(run: LoadRun): Promise<LoadFigures> {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(__dirname, 'autocannonRunner.ts'), JSON.stringify(run)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        let errors = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (errors += chunk));
        child.once('error', reject);
        child.once('exit', (code) => {
          if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${errors}`));
          resolve(JSON.parse(output.trim().split('\n').pop()!) as LoadFigures);
        });
      });
    },
  };
}
