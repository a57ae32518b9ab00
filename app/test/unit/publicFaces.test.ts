import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const RULES = ['no-restricted-imports', '@typescript-eslint/no-restricted-imports'];

/**
 * The import messages the project's ESLint gives `code` as if it were the file at `file` (relative
 * to the repository). ESLint runs in a process of its own: it loads its configuration as an ES
 * module, which jest's module loader does not.
 */
async function importProblems(file: string, code: string): Promise<string[]> {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', file], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result.messages.filter((message) => message.ruleId !== null && RULES.includes(message.ruleId)).map((message) => message.message);
}

describe('features are imported through their public face', () => {
  const usesGuard = (from: string) => `import { requireLogin } from '${from}';\nexport const guard = requireLogin;\n`;

  it('refuses a deep import into another feature, from any depth', async () => {
    expect(await importProblems('app/src/todos/example.ts', usesGuard('../auth/guards'))).toEqual([expect.stringContaining('index.ts')]);
    expect(await importProblems('app/src/cli/commands/example.ts', usesGuard('../../auth/guards'))).toHaveLength(1);
    expect(await importProblems('app/src/example.ts', usesGuard('./auth/guards'))).toHaveLength(1);
  }, 60_000);

  it('accepts the feature\'s index, and a feature\'s own files', async () => {
    expect(await importProblems('app/src/todos/example.ts', usesGuard('../auth'))).toEqual([]);
    expect(await importProblems('app/src/auth/example.ts', usesGuard('./guards'))).toEqual([]);
    expect(await importProblems('app/src/cli/commands/example.ts', `import { audit } from '../preflight/audit';\nexport const run = audit;\n`)).toEqual([]);
    expect(await importProblems('app/src/example.ts', usesGuard('./auth'))).toEqual([]);
  }, 60_000);
});

describe('the app is put together in one place', () => {
  const builds = (from: string) => `import { createServices } from '${from}';\nexport const build = createServices;\n`;

  it('refuses building services, backends or the app anywhere but composition.ts', async () => {
    expect(await importProblems('app/src/cli/example.ts', builds('../services'))).toEqual([expect.stringContaining('composition.ts')]);
    expect(await importProblems('app/test/integration/example.test.ts', builds('../../src/services'))).toHaveLength(1);
    expect(await importProblems('app/src/example.ts', `import { createApp } from './app';\nexport const build = createApp;\n`)).toHaveLength(1);
  }, 60_000);

  it('accepts the composition root itself, and type imports anywhere', async () => {
    expect(await importProblems('app/src/composition.ts', builds('./services'))).toEqual([]);
    expect(await importProblems('app/src/cli/example.ts', `import type { Services } from '../services';\nexport type Built = Services;\n`)).toEqual([]);
  }, 60_000);
});
